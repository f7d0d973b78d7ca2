import { encodePublishBatch, encodeQos1Batch, PUBACK, PUBLISH } from '../lib/mqtt-frames';
import { connectRaw, disconnectAll, type RawClient } from '../lib/raw-client';
import type { ThroughputJob, ThroughputResult } from './jobs';

const STALL_MS = 1500;
const MAX_SOCKET_BACKLOG = 1 << 20;

interface Publisher {
  client: RawClient;
  batch: Buffer;
  idOffsets: number[];
  nextId: number;
  unacked: number;
}

/**
 * Windowed throughput: publishers send batches only while fewer than `window` messages are
 * between publish and delivery, so the figure is sustained delivery, not queue growth.
 */
export async function runThroughput(job: ThroughputJob, onMeasuring: () => void): Promise<ThroughputResult> {
  const payload = Buffer.alloc(job.payloadBytes, 0x61);
  const subscribers = await Promise.all(
    Array.from({ length: job.subscribers }, (_, i) =>
      connectRaw(job.port, `bench-sub-${i}`, { topic: job.subscribeTopic, qos: job.qos }),
    ),
  );
  const publishers: Publisher[] = await Promise.all(
    Array.from({ length: job.publishers }, async (_, i) => {
      const topic = job.publishTopic ?? `bench/t/${i}`;
      const client = await connectRaw(job.port, `bench-pub-${i}`);
      if (job.qos === 0)
        return {
          client,
          batch: encodePublishBatch(topic, payload, job.batch),
          idOffsets: [],
          nextId: 1,
          unacked: 0,
        };
      const { buffer, idOffsets } = encodeQos1Batch(topic, payload, job.batch);
      return { client, batch: buffer, idOffsets, nextId: 1, unacked: 0 };
    }),
  );

  let published = 0;
  let delivered = 0;
  /** Deliveries written off by stall recovery. */
  let writtenOff = 0;
  let stalls = 0;
  let bytesReceived = 0;
  let next = 0;
  const windowDeliveries = job.window * job.subscribers;
  const batchDeliveries = job.batch * job.subscribers;
  const maxUnacked = job.maxInflightPerPublisher ?? Number.POSITIVE_INFINITY;

  const inFlight = () => published * job.subscribers - delivered - writtenOff;
  let stopped = false;
  const pump = () => {
    if (stopped) return;
    let blocked = 0;
    while (inFlight() + batchDeliveries <= windowDeliveries && blocked < publishers.length) {
      const p = publishers[next++ % publishers.length]!;
      if (p.client.socket.writableLength > MAX_SOCKET_BACKLOG || p.unacked + job.batch > maxUnacked) {
        blocked++;
        continue;
      }
      blocked = 0;
      if (job.qos === 1) {
        for (const offset of p.idOffsets) {
          p.batch.writeUInt16BE(p.nextId, offset);
          p.nextId = p.nextId === 65535 ? 1 : p.nextId + 1;
        }
        p.unacked += job.batch;
      }
      p.client.socket.write(p.batch);
      published += job.batch;
    }
  };

  for (const p of publishers) {
    p.client.onFrame = (header) => {
      if (header >> 4 === PUBACK) p.unacked--;
    };
    p.client.socket.on('data', () => pump());
  }
  for (const s of subscribers) {
    let acks: number[] = [];
    s.onFrame = (header, buf, start) => {
      if (header >> 4 !== PUBLISH) return;
      delivered++;
      if (((header >> 1) & 3) > 0) {
        const topicLength = buf.readUInt16BE(start);
        acks.push(buf.readUInt16BE(start + 2 + topicLength));
      }
    };
    s.socket.on('data', (chunk: Buffer) => {
      bytesReceived += chunk.length;
      if (acks.length) {
        const out = Buffer.allocUnsafe(acks.length * 4);
        acks.forEach((id, i) => {
          out.writeUInt32BE(0x40020000 | id, i * 4);
        });
        acks = [];
        s.socket.write(out);
      }
      pump();
    });
  }

  let lastProgress = { delivered: 0, at: performance.now() };
  const stallTimer = setInterval(() => {
    const now = performance.now();
    if (delivered !== lastProgress.delivered) {
      lastProgress = { delivered, at: now };
      return;
    }
    if (now - lastProgress.at > STALL_MS && inFlight() > 0) {
      stalls++;
      writtenOff += inFlight();
      for (const p of publishers) p.unacked = 0;
      lastProgress = { delivered, at: now };
      pump();
    }
  }, 250);

  pump();
  await sleep(job.warmupMs);
  const start = { published, delivered, bytesReceived, at: performance.now() };
  onMeasuring();
  await sleep(job.durationMs);
  const seconds = (performance.now() - start.at) / 1000;
  const result: ThroughputResult = {
    kind: 'throughput',
    published: published - start.published,
    delivered: delivered - start.delivered,
    seconds,
    stalls,
    bytesReceived: bytesReceived - start.bytesReceived,
  };
  // Stop publishing, let what is in flight arrive, then leave politely: some brokers do not
  // survive clients vanishing with deliveries queued, and that is not what this scenario measures.
  stopped = true;
  const drainDeadline = performance.now() + 3000;
  while (inFlight() > 0 && performance.now() < drainDeadline) await sleep(20);
  clearInterval(stallTimer);
  await disconnectAll([...publishers.map((p) => p.client), ...subscribers]);
  return result;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
