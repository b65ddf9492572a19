/** The scripts' shared command-line frame: --help, one line per outcome, exit codes. */
import { ConfigError } from "../../src/config.ts";
import { BackupError } from "./target.ts";

export class UsageError extends Error {}

export async function runCli(usage: string, main: (argv: string[]) => Promise<string>) {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(usage);
    return;
  }
  try {
    process.stdout.write(`${await main(argv)}\n`);
  } catch (error) {
    const usageError = error instanceof UsageError || error instanceof ConfigError;
    const known = usageError || error instanceof BackupError;
    process.stderr.write(`${known ? (error as Error).message : String(error)}\n`);
    if (usageError) process.stderr.write(`\n${usage}`);
    process.exit(usageError ? 2 : 1);
  }
}
