import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp-dir';
import { waitFor } from '../helpers/wait-for';

export interface PtyPair {
  /** Fieldbench's end. */
  host: string;
  /** The simulated device's end. */
  device: string;
  /** Pulls the cable: kills socat, both ends close. */
  kill(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** A PTY pair from socat (raw, no echo), with stable link names in a temp dir. */
export async function ptyPair(dir = tempDir('fb-pty-'), name = 'p'): Promise<PtyPair> {
  const host = path.join(dir, `${name}-host`);
  const device = path.join(dir, `${name}-dev`);
  const child = spawn('socat', [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${device}`], {
    stdio: 'ignore',
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(() => fs.existsSync(host) && fs.existsSync(device), 'socat to create the PTY pair', 5000);
  return {
    host,
    device,
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      children.delete(child);
    },
  };
}
