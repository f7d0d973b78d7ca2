// QoS 0 latency at a steady rate: node --import tsx test/broker/perf/latency.ts <port> [msgPerSec] [seconds]
import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

const gen = (p: Record<string, unknown>) => mqttPacket.generate(p as unknown as Packet);

function open(port: number, id: string): Promise<net.Socket> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.setNoDelay(true);
      s.write(
        gen({
          cmd: 'connect',
          clientId: id,
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          keepalive: 0,
        }),
      );
      s.once('data', () => resolve(s));
    });
  });
}

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 18830);
  const rate = Number(process.argv[3] ?? 10_000);
  const seconds = Number(process.argv[4] ?? 5);
  const sub = await open(port, 'lat-sub');
  const samples: number[] = [];
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('packet', (p: Packet) => {
    if (p.cmd === 'publish') {
      const sent = (p.payload as Buffer).readDoubleLE(0);
      samples.push(performance.now() - sent);
    }
  });
  sub.on('data', (d) => parser.parse(d));
  sub.write(gen({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'lat/#', qos: 0 }] }));
  await new Promise((r) => setTimeout(r, 300));
  const pub = await open(port, 'lat-pub');
  const payload = Buffer.alloc(64);
  const perTick = Math.max(1, Math.round(rate / 1000));
  const end = Date.now() + seconds * 1000;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (let i = 0; i < perTick; i++) {
        payload.writeDoubleLE(performance.now(), 0);
        pub.write(gen({ cmd: 'publish', topic: 'lat/x', payload, qos: 0 }));
      }
      if (Date.now() > end) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await new Promise((r) => setTimeout(r, 500));
  samples.sort((a, b) => a - b);
  const q = (f: number) => samples[Math.min(samples.length - 1, Math.floor(samples.length * f))]!.toFixed(3);
  console.log(`n=${samples.length} p50=${q(0.5)}ms p99=${q(0.99)}ms max=${q(1)}ms`);
  process.exit(0);
}

void main();
