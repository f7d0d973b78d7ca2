import { ApiError } from '../../api/api-error';

/** Longest file name the API accepts (well under every file system's 255-byte limit). */
export const MAX_FILE_NAME_LENGTH = 120;

/** What each kind of file may be called. */
export const FILE_EXTENSIONS = {
  capture: ['.jsonl'],
  csv: ['.csv'],
  json: ['.json'],
  any: ['.jsonl', '.csv', '.json'],
} as const;

export type FileKind = keyof typeof FILE_EXTENSIONS;

/**
 * Checks that `name` is a plain file name inside the exports folder: no folders (`/`, `\`), no `..`,
 * no hidden or control characters, bounded length, and one of the extensions allowed for `kind`.
 * The name is echoed back only once it is known to be short and printable.
 */
export function checkFileName(name: string, kind: FileKind): string {
  const allowed = FILE_EXTENSIONS[kind];
  const hint = `Use a plain file name such as "messages${allowed[0]}"`;
  if (name.length === 0 || name.length > MAX_FILE_NAME_LENGTH) {
    throw new ApiError('BAD_REQUEST', `File names are 1 to ${MAX_FILE_NAME_LENGTH} characters. ${hint}.`);
  }
  // Control characters, and the invisible/bidirectional ones that make a name display as another.
  if (/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/.test(name)) {
    throw new ApiError('BAD_REQUEST', `A file name cannot contain control or invisible characters. ${hint}.`);
  }
  if (name.includes('/') || name.includes('\\')) {
    throw new ApiError(
      'BAD_REQUEST',
      `"${name}" names a folder; files are only written to and read from the exports folder. ${hint}.`,
    );
  }
  if (name.startsWith('.')) {
    throw new ApiError(
      'BAD_REQUEST',
      `"${name}" starts with a dot (hidden files and ".." are refused). ${hint}.`,
    );
  }
  if (!allowed.some((ext) => name.toLowerCase().endsWith(ext) && name.length > ext.length)) {
    throw new ApiError('BAD_REQUEST', `"${name}" must end in ${allowed.join(', ')}. ${hint}.`);
  }
  return name;
}
