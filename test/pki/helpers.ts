import fs from 'node:fs';
import path from 'node:path';
import { createFileKeyProtector } from '../../main/secrets';
import { openStore, type Store } from '../../main/store';
import { createPki, type Pki, type PkiOptions } from '../../main/pki';
import { type TestClock, testClock } from '../helpers/test-clock';
import { tempDir } from '../helpers/temp-dir';

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
  const dir = options.dir ?? tempDir('fb-pki-');
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
