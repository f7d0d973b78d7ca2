/**
 * Secrets are redacted by construction: any field whose name says it holds a secret is replaced
 * before the entry is serialized, at any depth pino sees. Values wrapped in `Secret` print redacted.
 */
export const REDACTED = '[redacted]';

const secretKeyNames = [
  'password',
  'passphrase',
  'token',
  'secret',
  'privateKey',
  'private_key',
  'key',
  'apiKey',
  'authorization',
  'cookie',
];

/** pino `redact.paths` covering those names at the top level and one or two levels deep. */
export const redactPaths = secretKeyNames.flatMap((name) => [name, `*.${name}`, `*.*.${name}`]);

/** Wraps a secret so that logging, JSON and string conversion never reveal it. */
export class Secret<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}
