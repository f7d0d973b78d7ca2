import { encodePublish, PUBLISH } from '../lib/mqtt-frames';
import { connectRaw, disconnectAll } from '../lib/raw-client';
import type { LatencyJob, LatencyResult } from './jobs';

/**
 * Publish → delivery latency at a fixed rate. The payload carries its send time, and publisher and
 * subscriber share this process's clock.
 */
export async function runLatency(job: LatencyJob, onMeasuring: () => void): Promise<LatencyResult> {
  const topic = 'bench/latency';
  const subscriber = await connectRaw(job.port, 'bench-lat-sub', { topic, qos: 0 });
  const publisher = await connectRaw(job.port, 'bench-lat-pub');
  const template = encodePublish(topic, Buffer.alloc(job.payloadBytes), 0);
  const stampOffset = template.length - job.payloadBytes;

  let measuring = false;
  let sentMeasured = 0;
  const samples: number[] = [];
  subscriber.onFrame = (header, buf, start) => {
    if (header >> 4 !== PUBLISH || !measuring) return;
    const topicLength = buf.readUInt16BE(start);
    const sentAt = buf.readDoubleLE(start + 2 + topicLength);
    samples.push(performance.now() - sentAt);
  };

  const startedAt = performance.now();
  let sent = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    const due = Math.floor(((performance.now() - startedAt) / 1000) * job.ratePerSecond) - sent;
    for (let i = 0; i < due; i++) {
      const packet = Buffer.from(template);
      packet.writeDoubleLE(performance.now(), stampOffset);
      publisher.socket.write(packet);
      sent++;
      if (measuring) sentMeasured++;
    }
    setTimeout(tick, 1);
  };
  tick();
  await sleep(job.warmupMs);
  measuring = true;
  onMeasuring();
  await sleep(job.durationMs);
  running = false;
  await sleep(200);
  measuring = false;
  await disconnectAll([publisher, subscriber]);
  samples.sort((a, b) => a - b);
  const at = (q: number) =>
    samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? Number.NaN;
  return {
    kind: 'latency',
    samples: samples.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: samples.at(-1) ?? Number.NaN,
    lost: Math.max(0, sentMeasured - samples.length),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
