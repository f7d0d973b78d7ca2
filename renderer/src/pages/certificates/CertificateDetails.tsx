import { useState } from 'react';
import { useMutation } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { BundleExport } from './BundleExport';
import { downloadFile, fileSafe } from './download';
import { colonHex, expiryText, formatDate, reasonLabels } from './format';
import { pkiApi } from './pki-api';
import { type CertificateRecord, type RevocationReason, revocationReasons } from './types';
import { useAccountNames } from './use-account-names';

const MIN_P12_PASSWORD = 4;

function RevokeForm({ cert, onRevoked }: { cert: CertificateRecord; onRevoked(c: CertificateRecord): void }) {
  const [reason, setReason] = useState<RevocationReason>('unspecified');
  const [confirming, setConfirming] = useState(false);
  const { perform: run, busy, error } = useMutation();
  return (
    <form
      className="cert-revoke"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!confirming) {
          setConfirming(true);
          return;
        }
        const revoked = await run(() => pkiApi.revoke(cert.serial, reason));
        if (revoked) onRevoked(revoked);
        setConfirming(false);
      }}
    >
      <label>
        Reason{' '}
        <select
          value={reason}
          onChange={(e) => setReason(e.target.value as RevocationReason)}
          aria-label="Revocation reason"
        >
          {revocationReasons.map((r) => (
            <option key={r} value={r}>
              {reasonLabels[r] ?? r}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="danger" disabled={busy}>
        {busy ? 'Revoking…' : confirming ? `Revoke ${cert.commonName} now` : 'Revoke…'}
      </button>
      {confirming ? (
        <>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
          <span className="small cert-warn">
            Revocation cannot be undone; the CRL is updated immediately.
          </span>
        </>
      ) : null}
      <ErrorNote message={error} />
    </form>
  );
}

function ExportPanel({ cert }: { cert: CertificateRecord }) {
  const [includeKey, setIncludeKey] = useState(false);
  const [password, setPassword] = useState('');
  const pem = useMutation();
  const p12 = useMutation();
  const base = fileSafe(cert.commonName);
  const passwordIssue =
    password.length > 0 && password.length < MIN_P12_PASSWORD
      ? `at least ${MIN_P12_PASSWORD} characters`
      : undefined;

  return (
    <div className="cert-export">
      <h3>Export</h3>
      <div className="cert-export-row">
        <button
          type="button"
          disabled={pem.busy}
          onClick={async () => {
            const r = await pem.perform(() =>
              pkiApi.exportPem(cert.serial, includeKey && cert.hasPrivateKey),
            );
            if (!r) return;
            const parts = [r.certificatePem.trim(), r.chainPem.trim(), r.privateKeyPem?.trim()].filter(
              Boolean,
            );
            downloadFile(
              `${base}${includeKey && r.privateKeyPem ? '-with-key' : ''}.pem`,
              { text: `${parts.join('\n')}\n` },
              'application/x-pem-file',
            );
          }}
        >
          PEM (certificate + chain)
        </button>
        {cert.hasPrivateKey ? (
          <label className="small">
            <input type="checkbox" checked={includeKey} onChange={(e) => setIncludeKey(e.target.checked)} />{' '}
            include the private key
          </label>
        ) : (
          <span className="muted small">The private key stayed with the device (CSR).</span>
        )}
      </div>
      <ErrorNote message={pem.error} />
      {cert.hasPrivateKey ? (
        <form
          className="cert-export-row"
          onSubmit={async (e) => {
            e.preventDefault();
            if (password.length < MIN_P12_PASSWORD) return;
            const r = await p12.perform(() => pkiApi.exportPkcs12(cert.serial, password));
            if (r) downloadFile(r.fileName || `${base}.p12`, { base64: r.base64 }, 'application/x-pkcs12');
          }}
        >
          <label>
            PKCS#12 password{' '}
            <input
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={passwordIssue ? true : undefined}
            />
          </label>
          <button type="submit" disabled={p12.busy || password.length < MIN_P12_PASSWORD}>
            PKCS#12 (.p12)
          </button>
          {passwordIssue ? <span className="brk-field-error">{passwordIssue}</span> : null}
        </form>
      ) : null}
      <ErrorNote message={p12.error} />
      <BundleExport cert={cert} />
    </div>
  );
}

/** One certificate: facts, revoke with a reason, and the exports. */
export function CertificateDetails({
  cert,
  onChanged,
  onClose,
}: {
  cert: CertificateRecord;
  onChanged(c: CertificateRecord): void;
  onClose(): void;
}) {
  const { nameOf } = useAccountNames();
  return (
    <section
      className="panel cert-details"
      aria-labelledby="cert-details-title"
      data-testid="certificate-details"
    >
      <header className="panel-header">
        <h2 id="cert-details-title">{cert.commonName}</h2>
        <span className={`cert-status cert-status-${cert.status}`} data-testid="details-status">
          {cert.status}
        </span>
        <button type="button" onClick={onClose} aria-label="Close details">
          ×
        </button>
      </header>
      <dl className="facts">
        <dt>Subject</dt>
        <dd className="mono">{cert.subject}</dd>
        <dt>Kind</dt>
        <dd>
          {cert.kind}
          {cert.accountId ? ` · account ${nameOf(cert.accountId)}` : ''}
          {cert.batchId ? ` · batch ${cert.batchId.slice(0, 8)}` : ''}
        </dd>
        <dt>Serial</dt>
        <dd className="mono">{cert.serial}</dd>
        <dt>Validity</dt>
        <dd>
          {formatDate(cert.notBefore)} → {formatDate(cert.notAfter)}{' '}
          <span className="muted">({expiryText(cert.notAfter)})</span>
        </dd>
        <dt>Key</dt>
        <dd>
          {cert.hasPrivateKey
            ? `${cert.keyAlgorithm}, generated here and sealed`
            : `${cert.keyAlgorithm === 'external' ? '' : `${cert.keyAlgorithm}, `}from a CSR (key held by the device)`}
        </dd>
        <dt>SHA-256</dt>
        <dd className="mono small">{colonHex(cert.fingerprintSha256)}</dd>
        {cert.status === 'revoked' ? (
          <>
            <dt>Revoked</dt>
            <dd className="brk-bad">
              {cert.revokedAt ? new Date(cert.revokedAt).toLocaleString() : ''} —{' '}
              {reasonLabels[cert.revocationReason ?? 'unspecified'] ?? cert.revocationReason}
            </dd>
          </>
        ) : null}
        {cert.replacedBy ? (
          <>
            <dt>Replaced by</dt>
            <dd className="mono">{cert.replacedBy}</dd>
          </>
        ) : null}
      </dl>
      {cert.status === 'active' ? <RevokeForm cert={cert} onRevoked={onChanged} /> : null}
      <ExportPanel cert={cert} />
    </section>
  );
}
