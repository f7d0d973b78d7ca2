/** A refusal every protocol can report: REST as the status, WS handshakes as the status, MQTT as a log line. */
export class ResourceError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'ResourceError';
  }
}

export const badRequest = (message: string) => new ResourceError(400, message);
export const forbidden = (message: string) => new ResourceError(403, message);
export const notFound = (message: string) => new ResourceError(404, message);
