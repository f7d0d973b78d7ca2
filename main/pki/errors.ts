/** Why a PKI call failed; the operator API maps these one-to-one onto its error codes. */
export type PkiErrorCode = 'BAD_REQUEST' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN';

export class PkiError extends Error {
  constructor(
    readonly code: PkiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PkiError';
  }
}
