/** Turns a `server.listen` error into a sentence an operator can act on. */
export function describeListenError(err: unknown, host: string, port: number): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use`;
    case 'EACCES':
      return (
        `permission denied to listen on port ${port} on ${host}` +
        (port < 1024 ? ' (ports below 1024 need privileges)' : '')
      );
    case 'EADDRNOTAVAIL':
      return `address ${host} does not belong to this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host name ${host} cannot be resolved`;
    default:
      return `cannot listen on ${host}:${port}: ${(err as Error).message}`;
  }
}
