import path from 'node:path';

/**
 * Where a file named in an API call lives: absolute paths as given (the desktop "save as" case),
 * relative names inside `<dataDir>/<folder>`, never escaping it with `..`.
 */
export function resolveUserPath(dataDir: string, folder: 'captures' | 'exports', file: string): string {
  if (path.isAbsolute(file)) return path.normalize(file);
  const base = path.join(dataDir, folder);
  const resolved = path.resolve(base, file);
  if (resolved !== base && !resolved.startsWith(base + path.sep)) {
    throw new Error(`"${file}" points outside the ${folder} folder`);
  }
  return resolved;
}
