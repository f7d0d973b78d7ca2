import fs from 'node:fs/promises';
import type { z } from 'zod';
import type { tlsFilesSchema } from './listener-options';
import type { TlsMaterial } from './types';

/** Reads TLS material named by a listener's `tlsFiles` option, with a readable error per file. */
export async function readTlsFiles(files: z.infer<typeof tlsFilesSchema>): Promise<TlsMaterial> {
  const [cert, key, ca, ...crl] = await Promise.all([
    readPem(files.certFile, 'certificate'),
    readPem(files.keyFile, 'private key'),
    files.caFile ? readPem(files.caFile, 'CA') : undefined,
    ...(files.crlFiles ?? []).map((f) => readPem(f, 'CRL')),
  ]);
  return {
    certificates: [{ cert: cert!, key: key! }],
    ...(ca ? { ca } : {}),
    ...(crl.length ? { crl: crl as string[] } : {}),
  };
}

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code;
    throw new Error(`cannot read ${what} file ${file}: ${why}`);
  }
}
