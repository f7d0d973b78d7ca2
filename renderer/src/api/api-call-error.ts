import type { ApiErrorShape, ErrorCode } from '../../../preload/contract';

/** A structured error from the operator API, as thrown to UI code. */
export class ApiCallError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(shape: ApiErrorShape) {
    super(shape.message);
    this.name = 'ApiCallError';
    this.code = shape.code;
    this.details = shape.details;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiCallError) return `${err.message} (${err.code})`;
  if (err instanceof Error) return err.message;
  return String(err);
}
