import fs from 'node:fs';
import path from 'node:path';

/** The built renderer: beside the main bundle in `out/`, or `out/renderer` of the checkout when run from source. */
export function findRendererDir(): string {
  const candidates = [path.resolve(__dirname, '../renderer'), path.resolve(__dirname, '../../out/renderer')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html'))) ?? candidates[0]!;
}
