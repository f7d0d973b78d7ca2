import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { GatewayClient, SerialLink, SimulatedGateway } from '../../main/serial';
import { decodeLine, encodeFrame, LineSplitter } from '../../main/serial/frames';
import { tempDir } from '../helpers/temp-dir';
import { type PtyPair, ptyPair } from './pty';

const identity = { mac: '02:FB:5E:00:00:01', serial: 'GW-1', model: 'FB-GW', firmware: '3.2.1' };

describe('serial commissioning protocol over a socat PTY pair', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  async function setup(faults = {}) {
    const dir = tempDir('fb-serial-');
    const pty: PtyPair = await ptyPair(dir);
    const stateFile = path.join(dir, 'flash.json');
    const gateway = new SimulatedGateway({ identity, stateFile, bootMs: 100, faults });
    await gateway.attach(pty.device);
    const link = await SerialLink.open(pty.host);
    const client = new GatewayClient(link, { timeoutMs: 400, retries: 2 });
    cleanups.push(
      () => pty.kill(),
      () => gateway.stop(),
      () => link.close(),
    );
    return { dir, pty, stateFile, gateway, link, client };
  }

  test('frames carry a CRC; a flipped byte is rejected and noise is named as such', () => {
    const frame = encodeFrame({ id: 3, op: 'hello', args: { protocol: 1 } });
    const line = frame.subarray(0, -1);
    assert.deepEqual(decodeLine(line), {
      kind: 'frame',
      frame: { id: 3, op: 'hello', args: { protocol: 1 } },
    });
    const flipped = Buffer.from(line);
    flipped[5] = flipped[5]! ^ 0x01;
    assert.equal(decodeLine(flipped).kind, 'bad-crc');
    assert.equal(decodeLine(crypto.randomBytes(40).map((b) => b | 0x80) as Buffer).kind, 'garbage');
    assert.equal(decodeLine(Buffer.from('{"id":1,"op":"x"}')).kind, 'garbage', 'a frame without CRC');
  });

  test('a line longer than the limit is dropped without being held, and the next line still parses', () => {
    const lines: string[] = [];
    let overflow = 0;
    const splitter = new LineSplitter(
      (l) => lines.push(l.toString()),
      (n) => {
        overflow = n;
      },
      100,
    );
    splitter.push(Buffer.alloc(80, 0x61));
    splitter.push(Buffer.alloc(80, 0x62));
    splitter.push(Buffer.from('ccc\nok\npart'));
    splitter.push(Buffer.from('ial\n'));
    assert.ok(overflow > 100);
    assert.deepEqual(lines, ['ok', 'partial']);
  });

  test('hello, staged settings and a chunked file are committed atomically and survive a reboot', async () => {
    const { client, stateFile, gateway } = await setup();
    const hello = await client.hello();
    assert.equal(hello.serial, 'GW-1');
    assert.equal(hello.mac, identity.mac);
    assert.ok(hello.capabilities.includes('files'));
    await client.setSettings({
      'broker-url': 'mqtts://localhost:1',
      password: 'secret-pass',
      enabled: false,
    });
    const content = crypto.randomBytes(9000); // five chunks
    await client.writeFile('ca.pem', content);
    assert.equal(fs.existsSync(stateFile), false, 'nothing is written before the commit');
    assert.equal(await client.commit(), 1);
    const flash = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    assert.equal(flash.settings['broker-url'], 'mqtts://localhost:1');
    assert.ok(Buffer.from(flash.files['ca.pem'].contentBase64, 'base64').equals(content));
    const booted = await client.reboot(3000);
    assert.equal(booted['serial'], 'GW-1');
    const got = await client.request('settings.get');
    assert.equal(
      (got['settings'] as Record<string, unknown>)['password'],
      '***',
      'secrets are not read back',
    );
    assert.equal(gateway.store.flash.generation, 1);
  });

  test('a refused setting is reported with the device error code', async () => {
    const { client } = await setup();
    await assert.rejects(client.setSettings({ 'no-such-key': 1 }), /BAD_SETTING/);
    await assert.rejects(client.setSettings({ timeout: 'soon' }), /timeout must be a number/);
  });

  test('garbage and partial frames on the line do not disturb the exchange', async () => {
    const { client, link, pty } = await setup();
    // Noise towards the device and a torn frame: the device ignores both.
    await link.writeRaw(crypto.randomBytes(300));
    await link.writeRaw(Buffer.from('{"id":99,"op":"hel'));
    await link.writeRaw(Buffer.from('\n'));
    const hello = await client.hello();
    assert.equal(hello.model, 'FB-GW');
    assert.ok(pty.host);
  });

  test('a wrong baud rate (noise instead of frames) is detected and named', async () => {
    const { client } = await setup({ noise: true });
    await assert.rejects(client.hello(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'wrong-baud');
      assert.match(err.message, /wrong baud rate/);
      return true;
    });
  });

  test('a port already open is reported as busy', async () => {
    const { pty } = await setup();
    await assert.rejects(SerialLink.open(pty.host), /already open in another program/);
  });

  test('a lost answer is retried with the same id and answered from the device cache', async () => {
    const { client, link, gateway } = await setup({ rebootOnOp: 'status' });
    // The device reboots instead of answering status; the retry after boot gets the answer.
    const status = await client.request('status', {}, { timeoutMs: 300, retries: 3 });
    assert.equal(typeof status['state'], 'string');
    assert.ok(link.stats.retries >= 1);
    assert.equal(gateway.store.flash.generation, 0);
  });

  test('cable pulled mid-write: nothing is applied, and the transfer resumes on a new cable', async () => {
    const { client, gateway, stateFile, pty, dir } = await setup();
    await client.setSettings({ 'broker-url': 'mqtts://localhost:2' });
    const content = crypto.randomBytes(20_000);
    let pulled = false;
    await assert.rejects(
      client.writeFile('ca.pem', content, (sent) => {
        if (sent >= 6000 && !pulled) {
          pulled = true;
          void pty.kill();
        }
      }),
      (err: Error & { code?: string }) => err.code === 'closed' || err.code === 'timeout',
    );
    assert.equal(fs.existsSync(stateFile), false, 'no half-applied configuration');
    // Same device (still powered), new cable.
    const pty2 = await ptyPair(dir, 'q');
    cleanups.push(() => pty2.kill());
    await gateway.attach(pty2.device);
    const link2 = await SerialLink.open(pty2.host);
    cleanups.push(() => link2.close());
    const client2 = new GatewayClient(link2, { timeoutMs: 400 });
    const { resumedAt } = await client2.writeFile('ca.pem', content);
    assert.ok(resumedAt >= 6000, `resumed at ${resumedAt}`);
    await client2.commit();
    assert.ok(Buffer.from(gateway.store.flash.files['ca.pem']!.contentBase64, 'base64').equals(content));
  });
});
