// Preloaded (`node --import`) into every server process the bench starts: answers the bench's IPC messages
// with the process's event-loop delay and memory. Nothing is exposed over HTTP and nothing runs without an
// IPC channel, so the server code is unchanged.
import { monitorEventLoopDelay } from "node:perf_hooks";

const RESOLUTION_MS = 10;

if (typeof process.send === "function") {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  // The histogram records each timer interval, resolution included: subtract it to get the lag.
  const lagMs = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  process.on("message", (message) => {
    if (!message || typeof message !== "object" || typeof message.type !== "string") return;
    if (message.type === "probe:reset") {
      histogram.reset();
      process.send({ type: "probe:reply", id: message.id });
    } else if (message.type === "probe:read") {
      const memory = process.memoryUsage();
      process.send({
        type: "probe:reply",
        id: message.id,
        lag: {
          p50: lagMs(histogram.percentile(50)),
          p99: lagMs(histogram.percentile(99)),
          max: lagMs(histogram.max),
          mean: lagMs(histogram.mean),
        },
        memory: { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal },
      });
    }
  });
  process.channel?.unref();
}
