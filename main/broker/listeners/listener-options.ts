import { z } from 'zod';

/** Files a TLS listener can read its material from when no provider supplies it (CLI flags, lab setups). */
export const tlsFilesSchema = z.object({
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
  caFile: z.string().min(1).optional(),
  crlFiles: z.array(z.string().min(1)).optional(),
});

export const listenerOptionsSchema = z.object({
  /** Refuse connections beyond this many concurrent ones (0 = unlimited). */
  maxConnections: z.number().int().min(0).default(0),
  minTlsVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
  /** ALPN protocols offered, in preference order (e.g. `mqtt`, `x-amzn-mqtt-ca`). */
  alpnProtocols: z.array(z.string().min(1)).default([]),
  /** Refuse TLS clients that do not send a server name. */
  requireSni: z.boolean().default(false),
  tlsFiles: tlsFilesSchema.optional(),
  /** TLS clients that have not finished the handshake by then are dropped (and recorded). */
  handshakeTimeoutMs: z.number().int().min(500).default(15_000),
  /** WebSocket listeners only. */
  wsPath: z.string().startsWith('/').default('/mqtt'),
  /**
   * WebSocket listeners only: browser origins (`https://host:port`) allowed besides Fieldbench's own UI;
   * `*` allows any. Clients that send no Origin (devices, tools) are always allowed.
   */
  allowedOrigins: z.array(z.string().min(1).max(255)).max(100).default([]),
});

export type ListenerOptions = z.infer<typeof listenerOptionsSchema>;
export type ListenerOptionsInput = z.input<typeof listenerOptionsSchema>;

export function parseListenerOptions(input: unknown): ListenerOptions {
  return listenerOptionsSchema.parse(input ?? {});
}
