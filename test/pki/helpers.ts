import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore, type Store } from '../../main/store';
import { createPki, type Pki, type PkiOptions } from '../../main/pki';

export interface TestClock {
  now: () => Date;
  set(date: Date): void;
  advanceDays(days: number): void;
}

/** A clock that runs with real time from a settable offset, so TLS peers and tools agree once it is set to now. */
export function testClock(start = new Date()): TestClock {
  let offset = start.getTime() - Date.now();
  return {
    now: () => new Date(Date.now() + offset),
    set: (date) => {
      offset = date.getTime() - Date.now();
    },
    advanceDays: (days) => {
      offset += days * 86_400_000;
    },
  };
}

export interface PkiFixture {
  pki: Pki;
  store: Store;
  dir: string;
  clock: TestClock;
  /** Writes a file into the fixture's temp dir and returns its path. */
  file(name: string, content: string | Buffer): string;
  close(): Promise<void>;
}

export async function makePki(
  options: Partial<Omit<PkiOptions, 'db' | 'dataDir' | 'keyProtector'>> & {
    clock?: TestClock;
    dir?: string;
  } = {},
): Promise<PkiFixture> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fb-pki-'));
  const store = openStore(dir);
  const clock = options.clock ?? testClock();
  const pki = await createPki({
    db: store.db,
    dataDir: dir,
    keyProtector: createFileKeyProtector(dir),
    now: clock.now,
    ...(options.authorityAlgorithm ? { authorityAlgorithm: options.authorityAlgorithm } : {}),
  });
  const filesDir = fs.mkdtempSync(path.join(dir, 'files-'));
  return {
    pki,
    store,
    dir,
    clock,
    file: (name, content) => {
      const p = path.join(filesDir, name);
      fs.writeFileSync(p, content);
      return p;
    },
    close: async () => {
      await pki.close();
      store.close();
    },
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a real tool and returns its exit code and output (never throws on a non-zero exit). */
export function run(
  cmd: string,
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { timeout: options.timeoutMs ?? 30_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
