import crypto from 'node:crypto';
import net from 'node:net';

export interface RawUpgrade {
  socket: net.Socket;
  /** The status line and headers of the server's answer. */
  status: number;
  head: string;
}

/** Opens a TCP connection and sends a WebSocket upgrade request by hand; resolves with the server's answer. */
export function rawUpgrade(
  port: number,
  options: { path?: string; protocol?: string; origin?: string; localAddress?: string } = {},
): Promise<RawUpgrade> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: options.localAddress });
    const headers = [
      `GET ${options.path ?? '/mqtt'} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      `Sec-WebSocket-Protocol: ${options.protocol ?? 'mqtt'}`,
      ...(options.origin ? [`Origin: ${options.origin}`] : []),
    ];
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('error', reject);
      const head = received.slice(0, end);
      resolve({ socket, status: Number(head.split(' ')[1]), head });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed before an upgrade answer: ${received}`)));
    socket.write(`${headers.join('\r\n')}\r\n\r\n`);
  });
}

/** The header of a masked binary client frame that declares `length` payload bytes (64-bit length form). */
export function binaryFrameHeader(length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x82; // FIN + binary
  header[1] = 0x80 | 127; // masked, 64-bit length
  header.writeBigUInt64BE(BigInt(length), 2);
  crypto.randomBytes(4).copy(header, 10);
  return header;
}

/** Whether the socket is closed (or closes) within `timeoutMs`. */
export function closedWithin(socket: net.Socket, timeoutMs: number): Promise<boolean> {
  if (socket.destroyed || socket.closed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
