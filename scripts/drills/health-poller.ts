/**
 * The large-bodies drill's /healthz poller (./large-bodies.ts), on a thread of its own:
 * started with `{url, intervalMs}`, it asks every interval until told "stop", then
 * answers with each request's latency in ms and how many failed.
 */
declare const self: Worker;

export {};

let running = false;

self.onmessage = async (message: MessageEvent) => {
  if (message.data === "stop") {
    running = false;
    return;
  }
  const { url, intervalMs } = message.data as { url: string; intervalMs: number };
  const latencies: number[] = [];
  let failures = 0;
  running = true;
  self.postMessage("started");
  while (running) {
    const started = performance.now();
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (!response.ok) failures++;
    } catch {
      failures++;
    }
    const elapsed = performance.now() - started;
    latencies.push(elapsed);
    if (elapsed < intervalMs) await Bun.sleep(intervalMs - elapsed);
  }
  self.postMessage({ latencies, failures });
};
