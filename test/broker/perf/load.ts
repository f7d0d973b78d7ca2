// Raw-socket load generator: node --import tsx test/broker/perf/load.ts <port> <fan-in|fan-out|qos1> [seconds]
import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 18830);
  const mode = process.argv[3] ?? 'fan-in';
  const seconds = Number(process.argv[4] ?? 5);
  const gen = (p: Record<string, unknown>) => mqttPacket.generate(p as unknown as Packet);

  function open(id: string): Promise<net.Socket> {
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

  function counter(s: net.Socket, onPacket: (p: Packet) => void): void {
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', onPacket);
    s.on('data', (d) => parser.parse(d));
  }

  async function subscribe(s: net.Socket, filter: string, qos: number): Promise<void> {
    s.write(gen({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos }] }));
    await new Promise((r) => setTimeout(r, 200));
  }

  function flood(s: net.Socket, packet: Buffer, stop: () => boolean): void {
    const batch = Buffer.concat(Array.from({ length: 256 }, () => packet));
    const pump = () => {
      while (!stop()) {
        if (!s.write(batch)) {
          s.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  const payload = Buffer.alloc(64, 1);
  let received = 0;
  let stopped = false;
  const stop = () => stopped;

  if (mode === 'fan-in') {
    const sub = await open('sub');
    counter(sub, (p) => {
      if (p.cmd === 'publish') received++;
    });
    await subscribe(sub, '#', 0);
    const pkt = gen({ cmd: 'publish', topic: 'bench/in/x', payload, qos: 0 });
    for (let i = 0; i < 10; i++) flood(await open(`pub${i}`), pkt, stop);
  } else if (mode === 'fan-out') {
    for (let i = 0; i < 50; i++) {
      const s = await open(`sub${i}`);
      counter(s, (p) => {
        if (p.cmd === 'publish') received++;
      });
      await subscribe(s, 'bench/out', 0);
    }
    const pkt = gen({ cmd: 'publish', topic: 'bench/out', payload, qos: 0 });
    flood(await open('pub'), pkt, stop);
  } else {
    const sub = await open('sub');
    counter(sub, (p) => {
      if (p.cmd === 'publish') {
        received++;
        sub.write(gen({ cmd: 'puback', messageId: p.messageId }));
      }
    });
    await subscribe(sub, 'bench/q1', 1);
    // 10 publishers, each keeping a window of 100 unacknowledged QoS 1 messages
    for (let i = 0; i < 10; i++) {
      const s = await open(`pub${i}`);
      let id = 0;
      const send = (n: number) => {
        const bufs: Buffer[] = [];
        for (let k = 0; k < n; k++) {
          id = (id % 65535) + 1;
          bufs.push(gen({ cmd: 'publish', topic: 'bench/q1', payload, qos: 1, messageId: id }));
        }
        if (!stopped) s.write(Buffer.concat(bufs));
      };
      counter(s, (p) => {
        if (p.cmd === 'puback') send(1);
      });
      send(100);
    }
  }
  const start = Date.now();
  await new Promise((r) => setTimeout(r, 1000));
  const base = received;
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const rate = ((received - base) * 1000) / (Date.now() - t0);
  stopped = true;
  console.log(`${mode}: ${Math.round(rate)} msg/s delivered (after ${Date.now() - start} ms)`);
  process.exit(0);
}

void main();
