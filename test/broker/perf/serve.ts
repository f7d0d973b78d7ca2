// Runs a broker on a TCP port for manual measurements: node --import tsx test/broker/perf/serve.ts [port] [aedes]
import net from 'node:net';
import { createBroker } from '../../../main/broker';

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 18830);
  if (process.argv[3] === 'null') {
    // Baseline: sockets that are read and kept, nothing else
    net
      .createServer((sock) => {
        sock.on('data', () => sock.write(Buffer.from([0x20, 0x02, 0x00, 0x00])));
        sock.on('error', () => {});
      })
      .listen(port, '127.0.0.1');
  } else if (process.argv[3] === 'aedes') {
    const { Aedes } = await import('aedes');
    const aedes = await Aedes.createBroker();
    net.createServer(aedes.handle).listen(port, '127.0.0.1');
  } else {
    const broker = createBroker({ allowAnonymous: true, limits: { maxConnections: 50_000 } });
    setInterval(() => {
      const s = broker.stats();
      process.stderr.write(
        `in ${s.rates.messagesIn}/s out ${s.rates.messagesOut}/s dropped ${s.messagesDropped}\n`,
      );
    }, 2000).unref();
    net
      .createServer((sock) =>
        broker.handleConnection(sock, {
          listener: { id: 'perf', kind: 'mqtt', host: '127.0.0.1', port },
          remoteAddress: sock.remoteAddress ?? '',
        }),
      )
      .listen(port, '127.0.0.1');
  }
  console.log(`listening on ${port}`);
  setInterval(() => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    process.stderr.write(
      `rss ${(m.rss / 1048576).toFixed(1)} MiB heap ${(m.heapUsed / 1048576).toFixed(1)} MiB\n`,
    );
  }, 5000).unref();
}

void main();
