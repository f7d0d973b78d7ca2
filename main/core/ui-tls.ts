import net from 'node:net';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Pki, ServerCredentials } from '../pki';
import type { Settings } from './settings';

const SERIAL_KEY = 'ui.serverCertificateSerial';
const NAMES_KEY = 'ui.serverCertificateNames';
const RENEW_WITHIN_MS = 30 * 24 * 3600 * 1000;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);

/** The names a browser may use for the operator UI bound to `bindHost`: loopback, this machine, the bind address. */
function namesFor(bindHost: string): { dnsNames: string[]; ipAddresses: string[] } {
  const names = new Set(['localhost', os.hostname(), '127.0.0.1', '::1']);
  if (WILDCARD_HOSTS.has(bindHost)) {
    for (const list of Object.values(os.networkInterfaces())) {
      for (const address of list ?? []) names.add(address.address.replace(/%.*$/, ''));
    }
  } else names.add(bindHost);
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const name of names) {
    if (net.isIP(name)) ipAddresses.push(name);
    else if (/^[A-Za-z0-9.-]+$/.test(name)) dnsNames.push(name.toLowerCase());
  }
  return { dnsNames: dnsNames.sort(), ipAddresses: ipAddresses.sort() };
}

/**
 * The operator UI's HTTPS certificate, from Fieldbench's CA: kept across restarts while its names still
 * fit the bind address, and issued anew when they do not or it is revoked or about to expire.
 */
export async function uiServerCredentials(
  pki: Pki,
  settings: Settings,
  bindHost: string,
  logger: Logger,
): Promise<ServerCredentials> {
  const names = namesFor(bindHost);
  const saved = settings.get(SERIAL_KEY);
  if (saved && settings.get(NAMES_KEY) === JSON.stringify(names)) {
    try {
      const credentials = pki.serverCredentials(saved);
      if (!pki.isRevoked(saved) && credentials.notAfter - Date.now() > RENEW_WITHIN_MS) return credentials;
    } catch (err) {
      logger.warn({ err, serial: saved }, 'saved operator UI certificate is unusable; issuing a new one');
    }
  }
  const record = await pki.issueServerCertificate({ commonName: os.hostname() || 'localhost', ...names });
  settings.set(SERIAL_KEY, record.serial);
  settings.set(NAMES_KEY, JSON.stringify(names));
  logger.info({ serial: record.serial }, 'issued the operator UI server certificate');
  return pki.serverCredentials(record.serial);
}
