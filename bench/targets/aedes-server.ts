import net from 'node:net';

// Child-process entry: aedes 1.x, in-memory persistence, plain TCP.

async function main(): Promise<void> {
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  const server = net.createServer((socket) => aedes.handle(socket));
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`PORT ${(server.address() as net.AddressInfo).port}\n`);
  });
  process.once('SIGTERM', () => {
    server.close();
    aedes.close(() => process.exit(0));
  });
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
