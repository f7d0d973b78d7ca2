import net from 'node:net';

/** Sends one hand-written HTTP/1.1 request and resolves with the status code of the answer. */
export function rawRequest(port: number, lines: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (match) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed without an answer: ${received}`)));
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** A WebSocket upgrade request for the operator API, with the given Host, Origin and subprotocols. */
export function apiUpgradeLines(host: string, protocols: string[], origin?: string): string[] {
  return [
    'GET /api HTTP/1.1',
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Protocol: ${protocols.join(', ')}`,
    ...(origin ? [`Origin: ${origin}`] : []),
  ];
}
