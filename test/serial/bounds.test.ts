import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONSOLE_MAX_ENTRIES, SerialConsole, SerialLink } from '../../main/serial';
import { encodeFrame } from '../../main/serial/frames';
import { waitFor } from '../helpers/wait-for';
import { ptyPair } from './pty';

test('a chatty port fills the console only up to its bound, and the drop count says how much was lost', async () => {
  const pty = await ptyPair();
  let seen = 0;
  const console = await SerialConsole.open(pty.host, 115200, () => {
    seen++;
  });
  const device = await SerialLink.open(pty.device);
  try {
    const line = Buffer.alloc(4096, 0x41);
    for (let i = 0; i < 400; i++) await device.writeRaw(line);
    await waitFor(() => seen >= CONSOLE_MAX_ENTRIES + 100, 'the console to receive more than its bound');
    assert.equal(console.read(0).length, 500, 'one read returns at most 500 entries');
    assert.ok(console.dropped > 0);
    assert.equal(console.size, CONSOLE_MAX_ENTRIES);
    assert.equal(console.size + console.dropped, seen, 'every entry is either kept or counted as dropped');
  } finally {
    await device.close();
    await console.close();
    await pty.kill();
  }
});

test('a link answers a flood of unsolicited frames and oversize lines without growing, then still works', async () => {
  const pty = await ptyPair();
  const host = await SerialLink.open(pty.host);
  const device = await SerialLink.open(pty.device);
  try {
    // Responses nobody asked for, events, and a line far over the limit.
    for (let i = 0; i < 200; i++) await device.writeRaw(encodeFrame({ id: 1_000_000_000 + i, ok: true }));
    await device.writeRaw(Buffer.concat([Buffer.alloc(100_000, 0x7b), Buffer.from('\n')]));
    await waitFor(() => host.stats.overflows === 1, 'the oversize line to be dropped');
    assert.equal(host.stats.framesIn, 200);
    // The device end answers the next request by echoing its id.
    device.port.on('data', (d: Buffer) => {
      const m = /"id":(\d+)/.exec(d.toString());
      if (m) void device.writeRaw(encodeFrame({ id: Number(m[1]), ok: true, result: { pong: true } }));
    });
    assert.deepEqual(await host.request('status', {}, { timeoutMs: 2000 }), { pong: true });
  } finally {
    await host.close();
    await device.close();
    await pty.kill();
  }
});
