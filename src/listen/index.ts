/**
 * `hookyard listen` (see ./listen.ts): its options (./options.ts), and the run with the
 * process's streams, clock and signals.
 */
import { abortableSleep, EXIT_STOPPED, listen } from "./listen.ts";
import type { ListenOptions } from "./options.ts";

export { type ListenArgs, type ListenOptions, parseListenArgs, TOKEN_VARIABLE } from "./options.ts";

/**
 * Runs `listen` until Ctrl-C or SIGTERM, which stop it at once, abandoning an event being
 * sent on: exit 0.
 */
export async function runListen(options: ListenOptions): Promise<number> {
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return await listen(
      options,
      {
        fetch,
        print: (line) => process.stdout.write(`${line}\n`),
        status: (line) => process.stderr.write(`${line}\n`),
        now: Date.now,
        sleep: abortableSleep,
      },
      stopping.signal,
    );
  } catch (error) {
    if (stopping.signal.aborted) return EXIT_STOPPED;
    throw error;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
