import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { type PortChange, PortDiscovery, PortWatcher } from '../../main/serial';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';
import { ptyPair } from './pty';

test('discovery without udevadm: the real SerialPort.list failure is reported and /dev is scanned instead', async () => {
  const discovery = new PortDiscovery();
  const ports = await discovery.discover();
  assert.ok(Array.isArray(ports));
  // On this machine udevadm is missing; where it exists the listing simply works.
  if (discovery.lastListError !== null) assert.match(discovery.lastListError, /udevadm|ENOENT/);
});

test('a device directory scan finds USB and ACM ports with details from their by-id names', async () => {
  const dev = tempDir('fb-dev-');
  fs.writeFileSync(path.join(dev, 'ttyUSB0'), '');
  fs.writeFileSync(path.join(dev, 'ttyACM3'), '');
  fs.writeFileSync(path.join(dev, 'tty0'), '');
  fs.mkdirSync(path.join(dev, 'serial', 'by-id'), { recursive: true });
  fs.symlinkSync(
    path.join(dev, 'ttyUSB0'),
    path.join(dev, 'serial', 'by-id', 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'),
  );
  const discovery = new PortDiscovery({
    devDir: dev,
    list: () => Promise.reject(new Error('spawn udevadm ENOENT')),
  });
  const ports = await discovery.discover();
  assert.deepEqual(
    ports.map((p) => path.basename(p.path)),
    ['ttyACM3', 'ttyUSB0'],
  );
  const usb = ports.find((p) => p.path.endsWith('ttyUSB0'))!;
  assert.equal(usb.manufacturer, 'FTDI');
  assert.equal(usb.serialNumber, 'A50285BI');
  assert.match(usb.byId!, /usb-FTDI/);
  assert.equal(discovery.lastListError, 'spawn udevadm ENOENT');
});

test('hot-plug: a port appearing and disappearing is seen by polling within 2 s', async () => {
  const dev = tempDir('fb-dev-');
  const discovery = new PortDiscovery({ devDir: dev, list: () => Promise.reject(new Error('no udevadm')) });
  const changes: PortChange[] = [];
  const watcher = new PortWatcher(
    discovery,
    () => null,
    (c) => changes.push(c),
    250,
  );
  watcher.start();
  try {
    await waitFor(() => changes.length >= 1, 'the first listing', 2000);
    fs.writeFileSync(path.join(dev, 'ttyUSB7'), '');
    await waitFor(
      () => changes.some((c) => c.added.some((p) => p.endsWith('ttyUSB7'))),
      'the plugged port',
      2000,
    );
    fs.rmSync(path.join(dev, 'ttyUSB7'));
    await waitFor(
      () => changes.some((c) => c.removed.some((p) => p.endsWith('ttyUSB7'))),
      'the unplugged port',
      2000,
    );
  } finally {
    watcher.stop();
  }
});

test('an added PTY link is listed while it exists, and a relative or excess path is refused', async () => {
  const pty = await ptyPair();
  const discovery = new PortDiscovery({ devDir: tempDir('fb-dev-'), list: async () => [] });
  discovery.addPath(pty.host);
  assert.equal((await discovery.discover())[0]?.source, 'operator');
  await pty.kill();
  assert.equal((await discovery.discover()).length, 0, 'a vanished link is not listed');
  assert.throws(() => discovery.addPath('relative/tty'), /absolute/);
  for (let i = 0; i < 63; i++) discovery.addPath(`/tmp/none-${i}`);
  assert.throws(() => discovery.addPath('/tmp/one-too-many'), /too many/);
});
