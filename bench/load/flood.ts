import { encodePublishBatch, PUBLISH } from '../lib/mqtt-frames';
import { connectRaw } from '../lib/raw-client';
import type { FloodJob, FloodResult } from './jobs';

const SOCKET_BACKLOG = 4 << 20;

/** Uncapped QoS 0 publishing: every publisher writes as fast as its own socket drains, whatever is delivered. */
export async function runFlood(job: FloodJob): Promise<FloodResult> {
  const payload = Buffer.alloc(job.payloadBytes, 0x62);
  const subscriber = await connectRaw(job.port, 'bench-flood-sub', { topic: '#', qos: 0 });
  let delivered = 0;
  subscriber.onFrame = (header) => {
    if (header >> 4 === PUBLISH) delivered++;
  };
  let published = 0;
  let closedByBroker = 0;
  let running = true;
  const publishers = await Promise.all(
    Array.from({ length: job.publishers }, (_, i) => connectRaw(job.port, `bench-flood-pub-${i}`)),
  );
  const started = performance.now();
  for (const [i, p] of publishers.entries()) {
    const batch = encodePublishBatch(`bench/flood/${i}`, payload, job.batch);
    const fill = () => {
      while (running && !p.socket.destroyed && p.socket.writableLength < SOCKET_BACKLOG) {
        p.socket.write(batch);
        published += job.batch;
      }
    };
    p.socket.on('drain', fill);
    p.socket.once('close', () => {
      if (running) closedByBroker++;
    });
    fill();
  }
  await new Promise((r) => setTimeout(r, job.durationMs));
  running = false;
  const seconds = (performance.now() - started) / 1000;
  for (const p of publishers) p.socket.destroy();
  subscriber.socket.destroy();
  return { kind: 'flood', published, delivered, closedByBroker, seconds };
}
