import crypto from 'node:crypto';

/** What an operator can act on, by the error code a library or the OS attached; never its raw text. */
const HINTS: Record<string, string> = {
  SQLITE_BUSY: 'the database is busy; try again',
  SQLITE_LOCKED: 'the database is busy; try again',
  SQLITE_FULL: 'the disk is full',
  SQLITE_READONLY: 'the database cannot be written',
  SQLITE_IOERR: 'the database could not be read or written',
  SQLITE_CORRUPT: 'the database file is damaged',
  ENOSPC: 'the disk is full',
  EACCES: 'the operating system denied access to a file',
  EPERM: 'the operating system denied access to a file',
  EMFILE: 'too many files are open; try again',
};

function hintFor(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  // SQLite extended codes (SQLITE_IOERR_WRITE …) share their primary code's hint.
  return HINTS[code] ?? HINTS[code.split('_').slice(0, 2).join('_')];
}

/**
 * The message an API caller gets for an unexpected error: a clear sentence and a reference that
 * finds the full detail in the log, never the exception's own text (which may carry SQL, paths or
 * library internals).
 */
export function internalErrorMessage(method: string, err: unknown): { message: string; reference: string } {
  const reference = crypto.randomBytes(4).toString('hex');
  const hint = hintFor(err);
  const message = `${method} failed${hint ? `: ${hint}` : ' because of an internal error'} (reference ${reference}; the details are in the log).`;
  return { message, reference };
}
