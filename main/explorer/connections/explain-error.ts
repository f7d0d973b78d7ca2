import type { ExplorerConnectionError } from '../../../preload/contract/explorer';
import { explainConnack } from './reason-codes';

const TLS_REASONS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    "the server's certificate was not issued by a trusted CA (the CA in the profile or the system trust store).",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    "the CA that issued the server's certificate is not trusted (set the right CA certificate in the profile).",
  UNABLE_TO_GET_ISSUER_CERT: "the issuer of the server's certificate could not be found.",
  SELF_SIGNED_CERT_IN_CHAIN:
    "the server's certificate chain ends in a self-signed CA that is not trusted (add that CA to the profile).",
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presented a self-signed certificate that is not trusted.',
  CERT_HAS_EXPIRED: "the server's certificate has expired.",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet (check the clocks).",
  ERR_TLS_CERT_ALTNAME_INVALID:
    "the server's certificate does not name this host (check the host name or SNI).",
  CERT_SIGNATURE_FAILURE: "the signature of the server's certificate is invalid.",
  CERT_REVOKED: "the server's certificate has been revoked.",
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server did not answer with TLS (is this a plain mqtt:// port?).',
  EPROTO: 'the TLS handshake failed.',
};

const ALERT_HINTS: Record<string, string> = {
  'no application protocol': 'none of the ALPN protocols in the profile is accepted by the server',
  'protocol version': 'client and server share no TLS version',
  'unrecognized name': 'the server does not know the SNI name; check the server name in the profile',
  'certificate required': 'the server requires a client certificate',
  'unknown ca': 'the server does not trust the CA of our client certificate',
  'bad certificate': 'the server rejected our client certificate',
  'certificate expired': 'the server says our client certificate has expired',
  'handshake failure': 'no common cipher or parameters, or a rejected client certificate',
};

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; reasonCode?: unknown };
  return typeof e.code === 'string' ? e.code : undefined;
}

/** Turns a socket/TLS/MQTT error into one or two plain-language sentences and a stable kind. */
export function explainError(
  err: unknown,
  target: { host: string; port: number; mqttVersion: 3 | 4 | 5 },
): ExplorerConnectionError {
  const code = codeOf(err);
  const message = (err as Error)?.message ?? String(err);
  const where = `${target.host}:${target.port}`;
  const numeric = (err as { code?: unknown }).code;
  if (typeof numeric === 'number' || /Connection refused: /i.test(message)) {
    const reason = typeof numeric === 'number' ? numeric : Number(/(\d+)/.exec(message)?.[1] ?? 128);
    return {
      kind: 'connack',
      code: `CONNACK ${reason}`,
      message: explainConnack(reason, target.mqttVersion),
    };
  }
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        kind: 'dns',
        code,
        message: `The host name "${target.host}" could not be resolved (DNS lookup failed). Check the spelling and your network.`,
      };
    case 'ECONNREFUSED':
      return {
        kind: 'refused',
        code,
        message: `Connection refused by ${where}: nothing is listening on that port, or a firewall rejected it.`,
      };
    case 'ETIMEDOUT':
      return {
        kind: 'timeout',
        code,
        message: `No answer from ${where} in time (host down or traffic filtered).`,
      };
    case 'ECONNRESET':
    case 'EPIPE':
      return {
        kind: 'network',
        code,
        message: `${where} closed the connection unexpectedly (often a TLS/plain mismatch, a rejected client certificate, or a broker limit).`,
      };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { kind: 'network', code, message: `${where} is unreachable from this machine (no route).` };
  }
  if (/bad decrypt|bad password read|PEM_read_bio|DECODER routines/i.test(message)) {
    return {
      kind: 'tls',
      ...(code ? { code } : {}),
      message: 'The client private key could not be read: wrong passphrase, or the key is not valid PEM.',
    };
  }
  if (/KEY_VALUES_MISMATCH|key values mismatch/i.test(message)) {
    return { kind: 'tls', message: 'The client private key does not belong to the client certificate.' };
  }
  const tlsReason = code ? TLS_REASONS[code] : undefined;
  if (tlsReason || /certificate|ssl|tls|handshake|alert/i.test(message)) {
    // OpenSSL reports alerts from the server as "... alert <name>:..."; the name is the useful part.
    const alert = /alert ([a-z][a-z ]*?)(?::|$)/i.exec(message)?.[1]?.toLowerCase();
    const detail = alert
      ? `the server sent TLS alert "${alert}"${ALERT_HINTS[alert] ? ` (${ALERT_HINTS[alert]})` : ''}.`
      : (tlsReason ?? message);
    const clientCertHint = /certificate required|bad certificate|unknown ca|handshake failure/i.test(message)
      ? ' The server probably rejected our client certificate (missing, wrong CA, or key mismatch).'
      : '';
    return {
      kind: 'tls',
      ...(code ? { code } : {}),
      message: `TLS connection to ${where} failed: ${detail}${clientCertHint}`,
    };
  }
  if (/connack timeout|timed? ?out/i.test(message)) {
    return {
      kind: 'timeout',
      message: `${where} accepted the socket but did not answer the MQTT CONNECT in time.`,
    };
  }
  return { kind: 'other', ...(code ? { code } : {}), message: `Connection to ${where} failed: ${message}` };
}
