import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/wait-for';
import { type ProvisioningLab, startLab } from '../provisioning/helpers';
import { type BenchDevice, plugGateway, unplug } from './lab';

let lab: ProvisioningLab;
let device: BenchDevice;
before(async () => {
  lab = await startLab();
  device = await plugGateway();
});
after(async () => {
  await lab.call('serial.consoleClose', { path: device.pty.host }).catch(() => {});
  await unplug(device);
  await lab.close();
});

test('the raw console sends text and hex and shows both directions with timestamps', async () => {
  const path = device.pty.host;
  await lab.call('serial.consoleOpen', { path });
  const { ports } = await lab.call('serial.listPorts', {});
  await lab.call('serial.addPort', { path });
  assert.equal(
    (await lab.call('serial.listPorts', {})).ports.find((p) => p.path === path)?.inUse,
    'fieldbench',
  );
  assert.ok(Array.isArray(ports));

  // A hand-typed protocol frame: the simulator answers it on the console.
  await lab.call('serial.consoleSend', {
    path,
    data: '{"id":5,"op":"hello","args":{"protocol":1}} 00000000',
    lineEnding: 'lf',
  });
  const sent = await lab.call('serial.consoleSend', { path, data: 'de ad be ef', encoding: 'hex' });
  assert.equal(sent.bytes, 4);
  const { entries } = await lab.call('serial.consoleRead', { path, afterSeq: 0 });
  const out = entries.filter((e) => e.direction === 'out');
  assert.match(out[0]!.text, /"op":"hello"/);
  assert.ok(out[0]!.text.endsWith('\n') || out[0]!.hex.endsWith('0a'));
  assert.equal(out[1]!.hex, 'deadbeef');
  assert.equal(out[1]!.text, '\\xde\\xad\\xbe\\xef');
  assert.ok(entries.every((e) => e.at > 0 && e.seq > 0));

  // A valid hello (correct CRC) gets an answer, seen as incoming bytes.
  const { encodeFrame } = await import('../../main/serial/frames');
  await lab.call('serial.consoleSend', {
    path,
    // A newline first ends the line the hex bytes started.
    data: Buffer.concat([
      Buffer.from('\n'),
      encodeFrame({ id: 6, op: 'hello', args: { protocol: 1 } }),
    ]).toString('base64'),
    encoding: 'base64',
  });
  const incoming = await waitFor(async () => {
    const r = await lab.call('serial.consoleRead', { path, afterSeq: 0 });
    const text = r.entries
      .filter((e) => e.direction === 'in')
      .map((e) => e.text)
      .join('');
    return text.includes('"id":6,"ok":true') ? text : null;
  }, 'the device to answer on the console');
  assert.ok(incoming.includes(device.identity.serial));

  await assert.rejects(
    lab.call('commissioning.start', { ports: [{ path }], targetAccountId: lab.accountId }),
    /Close the console/,
  );
  await assert.rejects(
    lab.call('serial.consoleSend', { path, data: 'zz', encoding: 'hex' }),
    /pairs of hex digits/,
  );
  await lab.call('serial.consoleControl', { path, clear: true });
  assert.equal((await lab.call('serial.consoleRead', { path, afterSeq: 0 })).entries.length, 0);
  await lab.call('serial.consoleClose', { path });
  await assert.rejects(lab.call('serial.consoleRead', { path, afterSeq: 0 }), /No console is open/);
});
