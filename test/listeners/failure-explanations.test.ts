import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HandshakeFailureLog, type HandshakeFailure } from '../../main/broker/listeners';
import {
  explainHandshakeError,
  explainVerifyResult,
} from '../../main/broker/listeners/handshake-failure-reason';
import { describeListenError } from '../../main/broker/listeners/listen-error';

function failure(i: number, listenerId = 'a'): HandshakeFailure {
  return {
    time: new Date(i).toISOString(),
    listenerId,
    listenerKind: 'mqtts',
    remoteAddress: '127.0.0.1',
    reason: 'other',
    message: `failure ${i}`,
    detail: 'X',
  };
}

describe('handshake failure log and explanations', () => {
  test('the ring keeps only the newest entries, oldest first, and filters by listener', () => {
    const log = new HandshakeFailureLog(3);
    for (let i = 1; i <= 5; i++) log.add(failure(i, i % 2 ? 'a' : 'b'));
    assert.deepEqual(
      log.list().map((f) => f.message),
      ['failure 3', 'failure 4', 'failure 5'],
    );
    assert.deepEqual(
      log.list('a').map((f) => f.message),
      ['failure 3', 'failure 5'],
    );
  });

  test('OpenSSL handshake errors map to plain-language reasons', () => {
    const cases: [string, string][] = [
      ['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', 'no-client-certificate'],
      ['ERR_SSL_UNSUPPORTED_PROTOCOL', 'protocol-version'],
      ['ERR_SSL_NO_SHARED_CIPHER', 'no-shared-cipher'],
      ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'client-rejected-server-certificate'],
      ['ERR_SSL_HTTP_REQUEST', 'not-tls'],
    ];
    for (const [code, reason] of cases) {
      assert.equal(explainHandshakeError(Object.assign(new Error('x'), { code })).reason, reason, code);
    }
    const unknown = explainHandshakeError(Object.assign(new Error('odd'), { code: 'ERR_SOMETHING_NEW' }));
    assert.equal(unknown.reason, 'other');
    assert.match(unknown.message, /odd/);
  });

  test('certificate verification results map to reasons', () => {
    assert.equal(explainVerifyResult('CERT_HAS_EXPIRED').reason, 'certificate-expired');
    assert.equal(explainVerifyResult('CERT_NOT_YET_VALID').reason, 'certificate-not-yet-valid');
    assert.equal(explainVerifyResult('CERT_REVOKED').reason, 'certificate-revoked');
    assert.equal(explainVerifyResult('INVALID_PURPOSE').reason, 'wrong-key-usage');
    assert.equal(explainVerifyResult('SELF_SIGNED_CERT_IN_CHAIN').reason, 'unknown-ca');
    assert.match(explainVerifyResult('SOMETHING_ELSE').message, /SOMETHING_ELSE/);
  });

  test('listen errors read like sentences', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    assert.equal(
      describeListenError(err('EADDRINUSE'), '127.0.0.1', 1883),
      'port 1883 on 127.0.0.1 is already in use',
    );
    assert.match(describeListenError(err('EACCES'), '0.0.0.0', 443), /permission denied .* need privileges/);
    assert.match(
      describeListenError(err('EADDRNOTAVAIL'), '10.9.9.9', 1883),
      /does not belong to this machine/,
    );
  });
});
