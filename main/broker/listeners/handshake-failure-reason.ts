import type { HandshakeFailureReason } from './types';

interface Explained {
  reason: HandshakeFailureReason;
  message: string;
}

/** Certificate-verification results (`tlsSocket.authorizationError`) of a client certificate. */
const verifyResults: Record<string, Explained> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: unknownCa(),
  UNABLE_TO_GET_ISSUER_CERT: unknownCa(),
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unknownCa(),
  SELF_SIGNED_CERT_IN_CHAIN: unknownCa(),
  DEPTH_ZERO_SELF_SIGNED_CERT: unknownCa(),
  CERT_SIGNATURE_FAILURE: unknownCa(),
  CERT_HAS_EXPIRED: {
    reason: 'certificate-expired',
    message: 'The client certificate has expired.',
  },
  CERT_NOT_YET_VALID: {
    reason: 'certificate-not-yet-valid',
    message: 'The client certificate is not valid yet (check its start date and the device clock).',
  },
  CERT_REVOKED: { reason: 'certificate-revoked', message: 'The client certificate has been revoked.' },
  INVALID_PURPOSE: wrongUsage(),
  UNABLE_TO_GET_CRL: {
    reason: 'other',
    message: 'No revocation list is configured for the CA that issued the client certificate.',
  },
  CRL_HAS_EXPIRED: {
    reason: 'crl-expired',
    message: 'A revocation list of the client certificate chain is out of date: upload a fresh CRL.',
  },
};

/** Handshake errors as Node reports them from OpenSSL (`err.code`). */
const handshakeErrors: Record<string, Explained> = {
  ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: noClientCertificateExplained(),
  ERR_SSL_CERTIFICATE_VERIFY_FAILED: {
    reason: 'unknown-ca',
    message: 'The client certificate could not be verified against the trusted CAs.',
  },
  ERR_SSL_UNSUPPORTED_PROTOCOL: protocolVersion(),
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: protocolVersion(),
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: protocolVersion(),
  ERR_SSL_WRONG_VERSION_NUMBER: {
    reason: 'protocol-version',
    message:
      'The client used a TLS version this listener does not accept, or is not speaking TLS at all ' +
      '(plain MQTT sent to a TLS port?).',
  },
  ERR_SSL_HTTP_REQUEST: {
    reason: 'not-tls',
    message: 'The client sent plain HTTP to a TLS port (use https:// / wss://).',
  },
  ERR_SSL_NO_SHARED_CIPHER: {
    reason: 'no-shared-cipher',
    message: 'The client and this listener have no cipher suite in common.',
  },
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: clientRejectedUs('it does not trust the CA that issued it'),
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: clientRejectedUs('it considers it bad'),
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: clientRejectedUs('it does not accept it (host name mismatch?)'),
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: clientRejectedUs('it has expired'),
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: clientRejectedUs('the handshake signature did not verify'),
  ERR_SSL_NO_APPLICATION_PROTOCOL: {
    reason: 'other',
    message: 'The client offered no ALPN protocol this listener accepts.',
  },
  ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL: {
    reason: 'other',
    message: 'The client offered no ALPN protocol this listener accepts.',
  },
  ECONNRESET: { reason: 'other', message: 'The client closed the connection during the TLS handshake.' },
  ERR_TLS_HANDSHAKE_TIMEOUT: {
    reason: 'other',
    message: 'The client did not complete the TLS handshake in time (not speaking TLS, or too slow).',
  },
};

export function explainVerifyResult(code: string): Explained {
  return (
    verifyResults[code] ?? {
      reason: 'other',
      message: `The client certificate was not accepted (${code}).`,
    }
  );
}

export function explainHandshakeError(err: Error & { code?: string; reason?: string }): Explained {
  const byCode = err.code ? handshakeErrors[err.code] : undefined;
  if (byCode) return byCode;
  const text = `${err.reason ?? ''} ${err.message}`.toLowerCase();
  if (text.includes('socket hang up') || text.includes('econnreset')) return handshakeErrors['ECONNRESET']!;
  if (text.includes('version')) return protocolVersion();
  if (text.includes('cipher')) return handshakeErrors['ERR_SSL_NO_SHARED_CIPHER']!;
  if (text.includes('unknown ca')) return handshakeErrors['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA']!;
  return { reason: 'other', message: `The TLS handshake failed: ${err.reason ?? err.message}.` };
}

export const missingSni: Explained = {
  reason: 'missing-sni',
  message: 'The client did not send a server name (SNI), which this listener requires.',
};

export const wrongExtendedKeyUsage: Explained = wrongUsage();

export const noClientCertificate: Explained = noClientCertificateExplained();

function unknownCa(): Explained {
  return {
    reason: 'unknown-ca',
    message: 'The client certificate was issued by a CA this listener does not trust.',
  };
}

function wrongUsage(): Explained {
  return {
    reason: 'wrong-key-usage',
    message: 'The client certificate is not allowed for TLS client authentication (key usage / EKU).',
  };
}

function noClientCertificateExplained(): Explained {
  return {
    reason: 'no-client-certificate',
    message: 'The client presented no certificate, but this listener requires one.',
  };
}

function protocolVersion(): Explained {
  return {
    reason: 'protocol-version',
    message: 'The client and this listener have no TLS version in common (check the minimum TLS version).',
  };
}

function clientRejectedUs(why: string): Explained {
  return {
    reason: 'client-rejected-server-certificate',
    message: `The client refused this listener's certificate: ${why}.`,
  };
}
