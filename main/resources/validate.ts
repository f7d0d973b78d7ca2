import type { z } from 'zod';
import { badRequest, ResourceError } from './errors';

/** Parses with a zod schema; a mismatch becomes a 400 naming the first problem. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw badRequest(`Invalid ${what}${where}: ${issue?.message ?? 'not valid'}`);
}

/** JSON text of a stored value, refused with 413 beyond `max` bytes. */
export function boundedJson(value: unknown, max: number, what: string): string {
  const text = JSON.stringify(value ?? null);
  if (Buffer.byteLength(text) > max) throw new ResourceError(413, `${what} is larger than ${max} bytes`);
  return text;
}
