import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../api/api-error';
import { checkFileName, FILE_EXTENSIONS, type FileKind } from './file-name';

export interface FolderFile {
  name: string;
  size: number;
  modifiedAt: number;
}

const { O_RDONLY, O_NOFOLLOW } = fs.constants;
/** `list` answers at most this many (the newest) files. */
export const MAX_LISTED_FILES = 1000;

/**
 * The one folder API calls may write files to and read files from: `<dataDir>/exports`, or on the
 * desktop a folder the operator chose in a native dialog. Calls name files, never paths; every access
 * re-checks that the folder still resolves where it did (no symlink swapped in), writes never follow
 * or replace an existing link, and reads open only regular files, without following links.
 */
export class ExportFolder {
  private folder: string;
  private realFolder: string | undefined;
  private chosen = false;

  constructor(defaultFolder: string) {
    this.folder = defaultFolder;
  }

  /** Where files go now (for display). */
  get path(): string {
    return this.folder;
  }

  get chosenByOperator(): boolean {
    return this.chosen;
  }

  /** Uses a folder the operator picked (desktop dialog). */
  choose(folder: string): void {
    let real: string;
    try {
      real = fs.realpathSync(folder);
    } catch {
      throw new ApiError('BAD_REQUEST', 'The chosen folder cannot be opened');
    }
    if (!fs.statSync(real).isDirectory())
      throw new ApiError('BAD_REQUEST', 'The chosen path is not a folder');
    this.folder = real;
    this.realFolder = real;
    this.chosen = true;
  }

  /** The folder's real path, created (owner-only) if it is the default and missing. */
  private resolvedFolder(): string {
    if (!this.chosen) {
      const stat = lstatOrUndefined(this.folder);
      if (!stat) fs.mkdirSync(this.folder, { recursive: true, mode: 0o700 });
      else if (!stat.isDirectory()) {
        throw new ApiError(
          'UNAVAILABLE',
          `The exports folder ${this.folder} is not a plain folder (a link or a file); move it aside`,
        );
      }
      this.realFolder ??= fs.realpathSync(this.folder);
    }
    const real = fs.realpathSync(this.folder);
    if (real !== this.realFolder) {
      throw new ApiError(
        'UNAVAILABLE',
        `The exports folder ${this.folder} now points elsewhere; refusing to use it`,
      );
    }
    return real;
  }

  /** Full path of a new or existing file `name` (checked) inside the folder. */
  pathOf(name: string, kind: FileKind): string {
    return path.join(this.resolvedFolder(), checkFileName(name, kind));
  }

  /**
   * Creates `name` for writing. Without `overwrite` an existing file (or link) is a CONFLICT; with it
   * the data goes to a temporary file that replaces the old one on `commit`, so a link is replaced,
   * never written through.
   */
  create(
    name: string,
    kind: FileKind,
    overwrite = false,
  ): { stream: fs.WriteStream; commit(): void; abort(): void } {
    const target = this.pathOf(name, kind);
    const written = overwrite ? path.join(path.dirname(target), `.${crypto.randomUUID()}.partial`) : target;
    let fd: number;
    try {
      fd = fs.openSync(written, 'wx', 0o600);
    } catch (err) {
      throw this.conflictOr(err, name);
    }
    const stream = fs.createWriteStream('', { fd });
    return {
      stream,
      commit: () => {
        if (overwrite) fs.renameSync(written, target);
      },
      // A failed export leaves no half-written file behind.
      abort: () => {
        stream.destroy();
        fs.rmSync(written, { force: true });
      },
    };
  }

  /** Opens `name` for reading: a regular file in the folder, not a link. Errors never quote contents. */
  openForRead(name: string, kind: FileKind): { fd: number; size: number } {
    const target = this.pathOf(name, kind);
    let fd: number;
    try {
      fd = fs.openSync(target, O_RDONLY | O_NOFOLLOW);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        throw new ApiError('NOT_FOUND', `There is no file "${name}" in the exports folder`);
      if (code === 'ELOOP')
        throw new ApiError('BAD_REQUEST', `"${name}" is a link; only plain files are opened`);
      throw new ApiError('BAD_REQUEST', `"${name}" cannot be read (${code ?? 'error'})`);
    }
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      fs.closeSync(fd);
      throw new ApiError('BAD_REQUEST', `"${name}" is not a plain file`);
    }
    return { fd, size: stat.size };
  }

  /** A read stream over `name`, opened through `openForRead`. */
  readStream(name: string, kind: FileKind): fs.ReadStream {
    const { fd } = this.openForRead(name, kind);
    return fs.createReadStream('', { fd });
  }

  /** Bytes `[offset, offset + length)` of `name`, and its size. */
  readChunk(name: string, offset: number, length: number): { data: Buffer; size: number } {
    const { fd, size } = this.openForRead(name, 'any');
    try {
      const data = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      let read = 0;
      while (read < data.length) {
        const n = fs.readSync(fd, data, read, data.length - read, offset + read);
        if (n === 0) break;
        read += n;
      }
      return { data: data.subarray(0, read), size };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Plain files with a known extension, newest first (links, folders and hidden files are left out). */
  list(limit = MAX_LISTED_FILES): FolderFile[] {
    const folder = this.resolvedFolder();
    const files: FolderFile[] = [];
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name.startsWith('.')) continue;
      if (!FILE_EXTENSIONS.any.some((ext) => entry.name.toLowerCase().endsWith(ext))) continue;
      const stat = lstatOrUndefined(path.join(folder, entry.name));
      if (stat?.isFile()) files.push({ name: entry.name, size: stat.size, modifiedAt: stat.mtimeMs });
    }
    files.sort((a, b) => b.modifiedAt - a.modifiedAt || a.name.localeCompare(b.name));
    return files.slice(0, limit);
  }

  private conflictOr(err: unknown, name: string): Error {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      return new ApiError('CONFLICT', `"${name}" already exists in the exports folder; choose another name`);
    }
    return new ApiError('BAD_REQUEST', `Cannot create "${name}" (${code ?? 'error'})`);
  }
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
