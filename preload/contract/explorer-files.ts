import { z } from 'zod';
import { method, type MethodSpec } from './define';

/*
 * The exports folder: captures (`.jsonl`) and exports (`.csv`, `.json`) are written there and opened from
 * there, by file NAME only (no folders, no `..`, no hidden names; main/explorer/files/file-name.ts has the
 * rule). Headless it is `<dataDir>/exports`; on the desktop the operator may choose another folder in a
 * native dialog. A browser gets the bytes with `explorer.files.read` (in chunks) and saves them itself.
 */

/** A plain file name in the exports folder, e.g. `plant.csv`. */
export const exportFileName = z.string().min(1).max(120);

/** Largest chunk one `explorer.files.read` answers. */
export const MAX_FILE_CHUNK_BYTES = 4 * 1024 * 1024;

export const exportFolderSchema = z.object({
  folder: z.string(),
  /** True once the operator picked the folder (desktop); false for `<dataDir>/exports`. */
  chosenByOperator: z.boolean(),
  /** Whether `explorer.files.chooseFolder` can ask (desktop only). */
  canChooseFolder: z.boolean(),
});

export const explorerFileMethods = {
  'explorer.files.list': method(
    z.object({}).strict(),
    exportFolderSchema.extend({
      files: z.array(z.object({ name: z.string(), size: z.number().int(), modifiedAt: z.number() })),
    }),
    'The exports folder and its capture and export files (plain files only), newest first.',
  ),
  'explorer.files.read': method(
    z
      .object({
        name: exportFileName,
        offset: z.number().int().min(0).default(0),
        length: z.number().int().min(1).max(MAX_FILE_CHUNK_BYTES).default(MAX_FILE_CHUNK_BYTES),
      })
      .strict(),
    z.object({ name: z.string(), size: z.number().int(), offset: z.number().int(), data: z.string() }),
    'Bytes (base64) of a file in the exports folder, from `offset`, at most 4 MiB per call; page until offset + bytes = size.',
  ),
  'explorer.files.chooseFolder': method(
    z.object({}).strict(),
    exportFolderSchema,
    'Desktop: asks the operator for the folder captures and exports go to (native dialog). Headless: UNAVAILABLE.',
  ),
} satisfies Record<string, MethodSpec>;
