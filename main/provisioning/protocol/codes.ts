/** Response codes of the provisioning protocol (HTTP-like, as Kura's request/response uses). */
export const RESPONSE = {
  ok: 200,
  malformed: 400,
  activationKey: 401,
  disabled: 403,
  notFound: 404,
  wrongState: 409,
  expired: 410,
  notYetActive: 425,
  csrInvalid: 422,
  abandoned: 429,
  internal: 500,
} as const;

export type ErrorName =
  | 'MALFORMED_MESSAGE'
  | 'ACTIVATION_KEY_INVALID'
  | 'REQUEST_DISABLED'
  | 'NOT_FOUND'
  | 'WRONG_STATE'
  | 'REQUEST_EXPIRED'
  | 'NOT_YET_ACTIVE'
  | 'CSR_INVALID'
  | 'RETRIES_EXHAUSTED'
  | 'INTERNAL_ERROR';

export const CODE_OF: Record<ErrorName, number> = {
  MALFORMED_MESSAGE: RESPONSE.malformed,
  ACTIVATION_KEY_INVALID: RESPONSE.activationKey,
  REQUEST_DISABLED: RESPONSE.disabled,
  NOT_FOUND: RESPONSE.notFound,
  WRONG_STATE: RESPONSE.wrongState,
  REQUEST_EXPIRED: RESPONSE.expired,
  NOT_YET_ACTIVE: RESPONSE.notYetActive,
  CSR_INVALID: RESPONSE.csrInvalid,
  RETRIES_EXHAUSTED: RESPONSE.abandoned,
  INTERNAL_ERROR: RESPONSE.internal,
};

/** An error the device is told about: `response.code`, `response.error` and `response.message`. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  constructor(
    readonly error: ErrorName,
    message: string,
  ) {
    super(message);
  }
  get code(): number {
    return CODE_OF[this.error];
  }
}

/** Stages the device reports, in order. */
export const DEVICE_STAGES = ['CONF_UPDATING', 'CONF_UPDATED', 'APPS_INSTALLING', 'APPS_INSTALLED'] as const;
export type DeviceStage = (typeof DEVICE_STAGES)[number];

/** Bytes per file chunk in GET/file replies. */
export const FILE_CHUNK_BYTES = 64 * 1024;
