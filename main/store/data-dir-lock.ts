import fs from 'node:fs';
import path from 'node:path';
import { StoreError } from './errors';

const LOCK_NAME = 'fieldbench.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims a data directory for this process. A lock left by a process that no longer
 * exists (crash, kill -9) is taken over; a live owner makes us refuse.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, LOCK_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new StoreError(
          'STORE_LOCKED',
          `Data directory ${dataDir} is in use by another Fieldbench process (pid ${owner}). ` +
            'Stop it first, or start this one with a different --data-dir.',
        );
      }
      fs.unlinkSync(lockPath);
    }
  }
  throw new StoreError('STORE_LOCKED', `Could not lock data directory ${dataDir}.`);
}
