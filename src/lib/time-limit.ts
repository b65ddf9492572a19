/**
 * What `call` settles with, unless `ms` pass first: then what `onTimeout` returns, or
 * throws. The timer is cleared either way, so a call that answers leaves nothing behind.
 * `call` itself is not cancelled (a promise cannot be); its late outcome is ignored.
 */
export async function timeLimit<T>(call: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: Timer | undefined;
  const timedOut = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  try {
    return await Promise.race([call, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
