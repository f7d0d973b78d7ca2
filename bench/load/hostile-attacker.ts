import crypto from 'node:crypto';
import net from 'node:net';
import { connectPacket } from '../lib/mqtt-frames';
import { BENCH_DEVICE } from '../targets/fieldbench-core-server';

/*
 * The hostile side of `bench/scenarios/hostile-traffic.ts`, in its own process so its work does not
 * delay the device being measured: `bogus-logins <port>` or `oversized-frames <wsPort>`; prints
 * `DONE <json>` when finished.
 */

const BOGUS_LOGINS = Number(process.env.BENCH_HOSTILE_BOGUS ?? 1000);
/** Well below maxUnauthenticatedPerAddress, so every bogus login reaches the password check. */
const BOGUS_IN_FLIGHT = 90;
/** The bogus-login phase ends after this long even if not all were answered (the count says how many were). */
const BOGUS_WINDOW_MS = Number(process.env.BENCH_HOSTILE_BOGUS_WINDOW_MS ?? 15_000);
const OVERSIZED_FRAMES = 50;
const MiB = 1024 * 1024;

/** Bogus logins from 127.0.0.2; each resolves when the broker answers or closes. */
async function bogusLogins(
  port: number,
): Promise<{ sent: number; refusedByConnack: number; closedUnanswered: number }> {
  const deadline = performance.now() + BOGUS_WINDOW_MS;
  let next = 0;
  let refusedByConnack = 0;
  let closedUnanswered = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2', noDelay: true });
      socket.on('error', () => {});
      socket.once('connect', () => {
        // Half made-up usernames (a full scrypt each, no lockout key to stop them), half wrong passwords.
        const username = i % 2 === 0 ? `nobody-${i}` : BENCH_DEVICE.username;
        socket.write(connectPacket(`bogus-${i}`, username, `wrong-${i}`));
      });
      let answered = false;
      socket.once('data', (chunk) => {
        answered = true;
        if (chunk[0] === 0x20 && chunk[3] !== 0) refusedByConnack++;
        socket.destroy();
      });
      socket.once('close', () => {
        if (!answered) closedUnanswered++;
        resolve();
      });
    });
  const worker = async () => {
    while (next < BOGUS_LOGINS && performance.now() < deadline) await one(next++);
  };
  await Promise.all(Array.from({ length: BOGUS_IN_FLIGHT }, worker));
  return { sent: next, refusedByConnack, closedUnanswered };
}

/** One WebSocket upgrade from 127.0.0.3, then a frame header declaring 200 MiB and data until closed. */
function oversizedFrame(wsPort: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect({ port: wsPort, host: '127.0.0.1', localAddress: '127.0.0.3' });
    let sent = 0;
    let upgraded = false;
    const chunk = Buffer.alloc(MiB, 0x41);
    socket.on('error', () => {});
    socket.once('close', () => resolve(sent));
    socket.once('connect', () =>
      socket.write(
        `GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:${wsPort}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
          'Sec-WebSocket-Protocol: mqtt\r\n\r\n',
      ),
    );
    socket.on('data', () => {
      if (upgraded) return;
      upgraded = true;
      const header = Buffer.alloc(14);
      header[0] = 0x82;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(200 * MiB), 2);
      socket.write(header);
      const pump = () => {
        while (!socket.destroyed && sent < 200 * MiB) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
  });
}

async function main(): Promise<void> {
  const [mode, port] = process.argv.slice(2);
  if (mode === 'bogus-logins') {
    const result = await bogusLogins(Number(port));
    process.stdout.write(`DONE ${JSON.stringify({ ...result, total: BOGUS_LOGINS })}\n`);
  } else if (mode === 'oversized-frames') {
    const sent = await Promise.all(
      Array.from({ length: OVERSIZED_FRAMES }, () => oversizedFrame(Number(port))),
    );
    process.stdout.write(
      `DONE ${JSON.stringify({ frames: OVERSIZED_FRAMES, maxSentBytes: Math.max(...sent) })}\n`,
    );
  } else throw new Error(`unknown mode ${mode}`);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
