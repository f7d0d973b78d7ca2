import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type RunningCli, startCli } from '../helpers/cli-process';

/** Shared pieces of the Explorer and Traffic browser tests. */

export interface App {
  cli: RunningCli;
  mqttPort: number;
}

export async function startApp(dataDir: string): Promise<App> {
  const cli = await startCli([
    'serve',
    '--data-dir',
    dataDir,
    '--http-port',
    '0',
    '--broker-host',
    '127.0.0.1',
    '--mqtt-port',
    '0',
    '--allow-anonymous',
  ]);
  const match = /mqtt 127\.0\.0\.1:(\d+)/.exec(cli.readyLine) ?? /mqtt [^:\s]+:(\d+)/.exec(cli.readyLine);
  if (!match) throw new Error(`no MQTT port in the ready line: ${cli.readyLine}`);
  return { cli, mqttPort: Number(match[1]) };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with a hard timeout; never throws on exit codes. */
export function run(command: string, args: string[], timeoutMs = 20_000, input?: Buffer): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    if (input) child.stdin!.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `mosquitto_pub` one message (payload from stdin so any bytes work). */
export async function mosquittoPub(
  port: number,
  topic: string,
  payload: string | Buffer,
  opts: { retain?: boolean; qos?: 0 | 1 | 2; extra?: string[] } = {},
): Promise<void> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', topic, '-s', '-q', String(opts.qos ?? 1)];
  if (opts.retain) args.push('-r');
  if (opts.extra) args.push(...opts.extra);
  const res = await run(
    'mosquitto_pub',
    args,
    10_000,
    Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
  );
  if (res.code !== 0) throw new Error(`mosquitto_pub failed (${res.code}): ${res.stderr}`);
}

/** Opens the Explorer page (or another page id) in a fresh page with the given colour scheme. */
export async function openPage(
  browser: Browser,
  app: App,
  pageId = 'explorer',
  colorScheme: 'light' | 'dark' = 'light',
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${app.cli.url}#token=${app.cli.token}`);
  await page.getByTestId('connection-status').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 });
  await page.evaluate(`location.hash = '#/${pageId}'`);
  await page.getByTestId(`${pageId}-page`).waitFor({ timeout: 10_000 });
  // The embedded broker is tapped only while someone watches: wait until the view is open.
  if (pageId === 'explorer') await page.locator('[data-view-ready="true"]').waitFor({ timeout: 10_000 });
  return { page, errors };
}

/** The tree row of a path (must be visible: its ancestors expanded). */
export function row(page: Page, topicPath: string) {
  return page.locator(`[data-testid="topic-tree"] [data-path="${topicPath.replace(/"/g, '\\"')}"]`);
}

/** Expands every ancestor of `topicPath` and selects it. */
export async function revealAndSelect(page: Page, topicPath: string, timeout = 15_000): Promise<void> {
  const levels = topicPath.split('/');
  // Tenant topics live under their account group `$a/<account>`, one level in the tree.
  const first = topicPath.startsWith('$a/') ? 2 : 1;
  for (let i = first; i < levels.length; i++) {
    const ancestor = levels.slice(0, i).join('/');
    const r = row(page, ancestor);
    await r.waitFor({ timeout });
    if ((await r.getAttribute('aria-expanded')) !== 'true') await r.locator('.twisty').click();
    await page.waitForFunction(
      (p) => document.querySelector(`[data-path="${p}"]`)?.getAttribute('aria-expanded') === 'true',
      ancestor,
      { timeout },
    );
  }
  const target = row(page, topicPath);
  await target.waitFor({ timeout });
  await target.locator('.node-name').click();
  const shown = topicPath.replace(/^\$a\/[^/]+\//, '');
  await page.getByTestId('selected-topic').filter({ hasText: shown }).waitFor({ timeout });
}

// ---------- a tiny protobuf writer for Kura payloads ----------

function varint(n: number | bigint): Buffer {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

function tag(field: number, wire: number): Buffer {
  return varint((field << 3) | wire);
}

function lengthDelimited(field: number, body: Buffer): Buffer {
  return Buffer.concat([tag(field, 2), varint(body.length), body]);
}

function double(field: number, value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return Buffer.concat([tag(field, 1), b]);
}

/** A Kura payload (kurapayload.proto): timestamp and metrics (double, int32 or string). */
export function encodeKura(
  timestamp: number,
  metrics: Record<string, number | string>,
  ints: string[] = [],
): Buffer {
  const parts: Buffer[] = [Buffer.concat([tag(1, 0), varint(timestamp)])];
  for (const [name, value] of Object.entries(metrics)) {
    const fields: Buffer[] = [lengthDelimited(1, Buffer.from(name))];
    if (typeof value === 'string') {
      fields.push(Buffer.concat([tag(2, 0), varint(5)]), lengthDelimited(8, Buffer.from(value)));
    } else if (ints.includes(name)) {
      fields.push(Buffer.concat([tag(2, 0), varint(3)]), Buffer.concat([tag(6, 0), varint(value)]));
    } else {
      fields.push(Buffer.concat([tag(2, 0), varint(0)]), double(3, value));
    }
    parts.push(lengthDelimited(5000, Buffer.concat(fields)));
  }
  return Buffer.concat(parts);
}

// ---------- TLS test PKI and an external mosquitto ----------

export interface Pki {
  dir: string;
  ca: string;
  otherCa: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate, and an unrelated CA. */
export function makePki(dir: string): Pki {
  fs.mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  for (const name of ['ca', 'other-ca']) {
    openssl(
      ['req', '-x509', ...ec, '-days', '30', '-subj', `/CN=Fieldbench test ${name}`]
        .concat(['-keyout', `${name}.key`, '-out', `${name}.pem`])
        .concat([
          '-addext',
          'basicConstraints=critical,CA:TRUE',
          '-addext',
          'keyUsage=critical,keyCertSign,cRLSign',
        ]),
      dir,
    );
  }
  const issue = (name: string, cn: string, ext: string) => {
    openssl(
      ['req', '-new', ...ec, '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`],
      dir,
    );
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
        '-days',
        '30',
        '-out',
        `${name}.pem`,
        '-extfile',
        `${name}.ext`,
      ]),
      dir,
    );
  };
  issue(
    'server',
    'localhost',
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n',
  );
  issue(
    'client',
    'explorer-test-client',
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  const p = (f: string) => path.join(dir, f);
  return {
    dir,
    ca: p('ca.pem'),
    otherCa: p('other-ca.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts `/usr/sbin/mosquitto` with a mutual-TLS listener; resolves once it accepts TCP. */
export async function startMosquittoTls(pki: Pki): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const conf = path.join(pki.dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    [
      'per_listener_settings false',
      'allow_anonymous true',
      'persistence false',
      'user root',
      `listener ${port} 127.0.0.1`,
      `cafile ${pki.ca}`,
      `certfile ${pki.serverCert}`,
      `keyfile ${pki.serverKey}`,
      'require_certificate true',
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`mosquitto did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
