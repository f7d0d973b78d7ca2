import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../api/api-call-error';
import { ErrorNote } from '../../components';
import { type InspectorInput, readInspectorFile } from './inspector-file';
import { pkiApi } from './pki-api';
import type { InspectedCertificate, InspectedItem, Inspection, KeyInfo } from './types';
import { useAccountNames } from './use-account-names';

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----/;

function keyText(key: KeyInfo | null): string {
  if (!key) return 'unknown';
  return [key.type.toUpperCase(), key.curve, key.bits ? `${key.bits} bits` : null]
    .filter(Boolean)
    .join(' · ');
}

function days(ms: number): number {
  return Math.round(ms / 86_400_000);
}

function Fingerprint({ label, value, testId }: { label: string; value: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <>
      <dt>{label}</dt>
      <dd className="cert-fingerprint">
        <code data-testid={testId}>{value}</code>
        <button
          type="button"
          className="small-button"
          onClick={() =>
            void navigator.clipboard?.writeText(value).then(
              () => {
                setCopied(true);
                setTimeout(() => setCopied(false), 1500);
              },
              () => {},
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </dd>
    </>
  );
}

function CertificateView({ item, index }: { item: InspectedCertificate; index: number }) {
  const from = Date.parse(item.notBefore);
  const to = Date.parse(item.notAfter);
  const now = Date.now();
  const left = days(to - now);
  return (
    <article className="cert-inspected" data-testid="inspected-certificate">
      <h3>
        {index === 0 ? 'Certificate' : `Certificate ${index + 1}`}
        {item.isCa ? <span className="brk-tag">CA</span> : null}
        {item.selfSigned ? <span className="brk-tag">self-signed</span> : null}
        <span className={`brk-tag ${item.validNow ? 'cert-tag-ok' : 'brk-tag-bad'}`}>
          {item.validNow ? 'valid now' : now < from ? 'not yet valid' : 'expired'}
        </span>
      </h3>
      <dl className="facts">
        <dt>Subject</dt>
        <dd className="mono" data-testid="inspected-subject">
          {item.subject}
        </dd>
        <dt>Issuer</dt>
        <dd className="mono">{item.issuer}</dd>
        <dt>Serial</dt>
        <dd className="mono">{item.serial}</dd>
        <dt>Validity</dt>
        <dd>
          {new Date(from).toLocaleString()} → {new Date(to).toLocaleString()}{' '}
          <span className={left < 0 ? 'brk-bad' : left <= 30 ? 'cert-warn' : 'muted'}>
            ({left < 0 ? `expired ${-left} days ago` : `${left} days left`})
          </span>
        </dd>
        <dt>Subject alt. names</dt>
        <dd className="mono">
          {item.subjectAltNames.length ? (
            item.subjectAltNames.join(', ')
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
        <dt>Key</dt>
        <dd>{keyText(item.key)}</dd>
        <dt>Signature</dt>
        <dd>{item.signatureAlgorithm}</dd>
        <Fingerprint label="SHA-256" value={item.sha256Fingerprint} testId="inspected-sha256" />
        <Fingerprint label="SHA-1" value={item.sha1Fingerprint} />
      </dl>
      {item.extensions.length ? (
        <details>
          <summary>Extensions ({item.extensions.length})</summary>
          <table className="grid cert-ext">
            <tbody>
              {item.extensions.map((e) => (
                <tr key={e.oid}>
                  <th scope="row">
                    {e.name}
                    {e.critical ? <span className="brk-tag">critical</span> : null}
                    <div className="muted small mono">{e.oid}</div>
                  </th>
                  <td className="mono cert-ext-value">{e.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </article>
  );
}

function ItemView({ item, index }: { item: InspectedItem; index: number }) {
  switch (item.type) {
    case 'certificate':
      return <CertificateView item={item} index={index} />;
    case 'csr':
      return (
        <article className="cert-inspected">
          <h3>
            Certificate signing request{' '}
            <span className={`brk-tag ${item.signatureValid ? 'cert-tag-ok' : 'brk-tag-bad'}`}>
              {item.signatureValid ? 'signature valid' : 'signature invalid'}
            </span>
          </h3>
          <dl className="facts">
            <dt>Subject</dt>
            <dd className="mono" data-testid="inspected-subject">
              {item.subject}
            </dd>
            <dt>Key</dt>
            <dd>{keyText(item.key)}</dd>
            <dt>Subject alt. names</dt>
            <dd className="mono">{item.subjectAltNames.join(', ') || <span className="muted">none</span>}</dd>
          </dl>
        </article>
      );
    case 'private-key':
    case 'public-key':
      return (
        <article className="cert-inspected">
          <h3>
            {item.type === 'private-key' ? 'Private key' : 'Public key'}
            {item.encrypted ? <span className="brk-tag">encrypted</span> : null}
          </h3>
          <dl className="facts">
            <dt>Key</dt>
            <dd>{item.encrypted ? 'encrypted — details need the passphrase' : keyText(item.key)}</dd>
          </dl>
          {item.type === 'private-key' ? (
            <p className="cert-warn small">
              A private key was pasted: keep it secret; Fieldbench did not store it.
            </p>
          ) : null}
        </article>
      );
    case 'crl':
      return (
        <article className="cert-inspected">
          <h3>Certificate revocation list</h3>
          <dl className="facts">
            <dt>Issuer</dt>
            <dd className="mono">{item.issuer}</dd>
            <dt>This update</dt>
            <dd>{new Date(item.thisUpdate).toLocaleString()}</dd>
            <dt>Next update</dt>
            <dd>{item.nextUpdate ? new Date(item.nextUpdate).toLocaleString() : '–'}</dd>
            <dt>Revoked serials</dt>
            <dd className="mono">
              {item.revokedSerials.length ? (
                item.revokedSerials.join(', ')
              ) : (
                <span className="muted">none</span>
              )}
            </dd>
          </dl>
        </article>
      );
    default:
      return (
        <article className="cert-inspected">
          <h3>{item.label}</h3>
          <ErrorNote message={item.error} />
        </article>
      );
  }
}

/** Paste PEM, or drop or choose a PEM or DER file: what it is, and whether the chain verifies (for an account). */
export function InspectorPanel() {
  const [text, setText] = useState('');
  const [derFile, setDerFile] = useState<Extract<InspectorInput, { derBase64: string }>>();
  const [accountId, setAccountId] = useState('');
  const { accounts, nameOf } = useAccountNames();
  const [result, setResult] = useState<Inspection>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const seq = useRef(0);
  const hasPem = PEM_BLOCK.test(text);

  const inspect = async (input: InspectorInput, forAccount: string) => {
    const mine = ++seq.current;
    setBusy(true);
    setError(undefined);
    try {
      const request = 'pem' in input ? { pem: input.pem } : { derBase64: input.derBase64 };
      const r = await pkiApi.inspect(request, forAccount || undefined);
      if (mine === seq.current) setResult(r);
    } catch (err) {
      if (mine === seq.current) {
        setResult(undefined);
        setError(errorMessage(err));
      }
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  };

  // Pasting or dropping inspects at once; typing waits for a pause.
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const accept = (value: string, immediate = true) => {
    setText(value);
    setDerFile(undefined);
    clearTimeout(timer.current);
    if (!PEM_BLOCK.test(value)) {
      seq.current++;
      setResult(undefined);
      setBusy(false);
      return;
    }
    if (immediate) void inspect({ pem: value }, accountId);
    else timer.current = setTimeout(() => void inspect({ pem: value }, accountId), 300);
  };
  const acceptFile = async (file: File) => {
    const input = await readInspectorFile(file);
    if ('pem' in input) {
      accept(input.pem);
      return;
    }
    clearTimeout(timer.current);
    setText('');
    setDerFile(input);
    void inspect(input, accountId);
  };
  const chooseAccount = (id: string) => {
    setAccountId(id);
    if (derFile) void inspect(derFile, id);
    else if (hasPem) void inspect({ pem: text }, id);
  };
  useEffect(() => () => clearTimeout(timer.current), []);

  return (
    <section className="panel cert-inspector" aria-labelledby="cert-inspector-title">
      <header className="panel-header">
        <h2 id="cert-inspector-title">Inspector</h2>
        <span className="muted small">Nothing pasted here is stored.</span>
      </header>
      <div className="cert-export-row">
        <label>
          Verify against{' '}
          <select
            value={accountId}
            onChange={(e) => chooseAccount(e.target.value)}
            aria-label="Verify against account"
            data-testid="inspector-account"
          >
            <option value="">the Fieldbench CA and every account&apos;s CAs</option>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                the Fieldbench CA and account {a.name}&apos;s CAs
              </option>
            ))}
          </select>
        </label>
        <label className="small-button cert-file-button">
          Choose a file…
          <input
            type="file"
            className="visually-hidden"
            data-testid="inspector-file"
            accept=".pem,.crt,.cer,.der,.csr,.key,.crl,.pub"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void acceptFile(file);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target for files; the keyboard path is pasting or choosing a file. */}
      <div
        className={`cert-drop${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const file = e.dataTransfer.files[0];
          if (file) void acceptFile(file);
          else accept(e.dataTransfer.getData('text/plain'));
        }}
      >
        <label htmlFor="cert-inspector-input" className="visually-hidden">
          PEM to inspect
        </label>
        <textarea
          id="cert-inspector-input"
          data-testid="inspector-input"
          className="mono"
          rows={7}
          spellCheck={false}
          placeholder="Paste PEM, or drop a PEM or DER file (.pem .crt .cer .der): certificates, chains, CSRs, keys, CRLs"
          value={text}
          onChange={(e) =>
            accept(e.target.value, (e.nativeEvent as InputEvent).inputType === 'insertFromPaste')
          }
          aria-invalid={text.trim() && !hasPem ? true : undefined}
        />
      </div>
      {derFile ? (
        <p className="muted small" data-testid="inspector-der-file">
          Binary (DER) file {derFile.fileName}, {derFile.size} bytes
        </p>
      ) : null}
      {text.trim() && !hasPem ? (
        <p className="brk-field-error" role="alert">
          No PEM block found: the text must contain a -----BEGIN …----- / -----END …----- pair.
        </p>
      ) : null}
      <ErrorNote message={error} />
      {busy && !result ? <p className="muted">Inspecting…</p> : null}
      {result ? (
        <div className="cert-inspection" data-testid="inspection">
          {result.chain ? (
            <div
              className={`cert-chain ${result.chain.verified ? 'ok' : 'bad'}`}
              data-testid="inspected-chain"
              role="status"
            >
              <strong>{result.chain.verified ? '✓ Chain verifies' : '✗ Chain does not verify'}</strong>
              {result.chain.trustedBy
                ? ` — trusted by ${result.chain.trustedBy === 'fieldbench' ? 'the Fieldbench CA' : `the tenant CA of account ${nameOf(result.chain.accountId)}`}`
                : ''}
              <div className="small">{result.chain.message}</div>
            </div>
          ) : null}
          {result.items.map((item, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the items are the PEM blocks in order; the list is replaced, never edited.
            <ItemView key={i} item={item} index={i} />
          ))}
        </div>
      ) : null}
    </section>
  );
}
