import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where Fieldbench keeps its data when not told otherwise: `--data-dir` > `FIELDBENCH_DATA_DIR` >
 * `$XDG_DATA_HOME/fieldbench` > `~/.local/share/fieldbench`. Desktop mode passes Electron's userData.
 */
export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.FIELDBENCH_DATA_DIR) return path.resolve(env.FIELDBENCH_DATA_DIR);
  const base = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'fieldbench');
}

/** Creates the directory (owner-only) and tightens an existing one that others could read. */
export function prepareDataDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = fs.statSync(dir).mode & 0o777;
  if (mode & 0o077) fs.chmodSync(dir, 0o700);
}
