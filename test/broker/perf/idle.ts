// Opens N idle MQTT connections: node --import tsx test/broker/perf/idle.ts <port> <n> [holdSeconds]
import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 18830);
  const n = Number(process.argv[3] ?? 19000);
  const hold = Number(process.argv[4] ?? 15);
  const sockets: net.Socket[] = [];
  let acked = 0;
  const open = (i: number) =>
    new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.write(
          mqttPacket.generate({
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 4,
            clean: true,
            clientId: `idle-${i}`,
            keepalive: 600,
          } as unknown as Packet),
        );
      });
      s.once('data', () => {
        acked++;
        resolve();
      });
      s.on('error', () => resolve());
      sockets.push(s);
    });
  for (let i = 0; i < n; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, k) => open(i + k)));
  }
  console.log(`connected ${acked}/${n}`);
  await new Promise((r) => setTimeout(r, hold * 1000));
  for (const s of sockets) s.destroy();
}

void main();
