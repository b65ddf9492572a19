/** Awaiting a condition nothing announces (a row's status, a probe's answer) by polling it. */

/** Polls `check` every 25 ms until it holds; fails with `what()` at the deadline. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: () => string | Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(await what());
    await Bun.sleep(25);
  }
}
