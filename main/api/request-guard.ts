import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import os from 'node:os';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

function stripBrackets(host: string): string {
  return host.replace(/^\[|\]$/g, '').toLowerCase();
}

function isLoopbackName(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '::1') return true;
  return net.isIPv4(hostname) && hostname.startsWith('127.');
}

/** This machine's interface addresses and name: what a browser may use to reach a wildcard bind. */
function localNames(): Set<string> {
  const names = new Set([os.hostname().toLowerCase()]);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const address of list ?? []) names.add(address.address.toLowerCase());
  }
  return names;
}

/**
 * The operator API's defence against DNS rebinding and cross-site WebSockets: the `Host` a request was
 * sent to must be a loopback name or address, the bind host, or (bound to all interfaces) one of this
 * machine's addresses or its name; a WebSocket that carries an `Origin` must come from the UI's own origin.
 */
export class RequestGuard {
  private readonly bindHost: string;

  constructor(
    bindHost: string,
    private readonly secure: boolean,
  ) {
    this.bindHost = stripBrackets(bindHost);
  }

  hostAllowed(req: IncomingMessage): boolean {
    const header = req.headers.host;
    if (!header) return false;
    let hostname: string;
    try {
      hostname = stripBrackets(new URL(`http://${header}`).hostname);
    } catch {
      return false;
    }
    if (isLoopbackName(hostname) || hostname === this.bindHost) return true;
    return WILDCARD_HOSTS.has(this.bindHost) && localNames().has(hostname);
  }

  /** Same-origin WebSockets only; a request without Origin is not from a browser page. */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (!this.hostAllowed(req)) return false;
    const own = `${this.secure ? 'https' : 'http'}://${req.headers.host}`;
    try {
      return new URL(origin).origin === new URL(own).origin;
    } catch {
      return false;
    }
  }
}
