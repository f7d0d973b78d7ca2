import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EventDataOf } from '../../../../preload/contract';
import { errorMessage } from '../../api/api-call-error';
import { useApiEvent, useQuery } from '../../api/hooks';
import { ErrorNote, VirtualList } from '../../components';
import { AuthoritiesPanel } from './AuthoritiesPanel';
import { BatchIssue } from './BatchIssue';
import { CertificateDetails } from './CertificateDetails';
import { ExpiryTimeline, expiryState } from './ExpiryTimeline';
import { expiryText, formatDate, shortFingerprint } from './format';
import { InspectorPanel } from './InspectorPanel';
import { IssueWizard } from './IssueWizard';
import { type CertificateQuery, MAX_LISTED, pkiApi } from './pki-api';
import type { CertificateRecord } from './types';
import { useAccountNames } from './use-account-names';
import '../broker/broker.css';
import './certificates.css';

const WARN_DAYS = 30;

type SortKey =
  | 'commonName'
  | 'kind'
  | 'accountId'
  | 'status'
  | 'notBefore'
  | 'notAfter'
  | 'keyAlgorithm'
  | 'createdAt';
const columns: { label: string; sort?: SortKey }[] = [
  { label: 'Common name', sort: 'commonName' },
  { label: 'Kind', sort: 'kind' },
  { label: 'Account', sort: 'accountId' },
  { label: 'Status', sort: 'status' },
  { label: 'Valid from', sort: 'notBefore' },
  { label: 'Expires', sort: 'notAfter' },
  { label: 'Key', sort: 'keyAlgorithm' },
  { label: 'SHA-256' },
];
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function HandshakeFailuresLink() {
  const failures = useQuery('listeners.handshakeFailures', {});
  const [live, setLive] = useState<EventDataOf<'listeners.handshakeFailure'>[]>([]);
  useApiEvent('listeners.handshakeFailure', (f) => setLive((list) => [f, ...list].slice(0, 20)));
  const total = (failures.data?.failures.length ?? 0) + live.length;
  const latest = live[0] ?? failures.data?.failures[0];
  return (
    <section className="panel cert-failures" aria-labelledby="cert-failures-title">
      <header className="panel-header">
        <h2 id="cert-failures-title">TLS handshake failures</h2>
        <a href="#/broker/handshakes" data-testid="handshake-link">
          Open the log on the Broker page →
        </a>
      </header>
      <p className="small">
        {total === 0 ? (
          <span className="muted">No failed TLS handshakes since start-up.</span>
        ) : (
          <>
            <strong className="brk-bad">{total}</strong> failed handshake{total === 1 ? '' : 's'}
            {latest ? (
              <>
                ; latest from <code>{latest.remoteAddress}</code> on {latest.listenerKind}: {latest.message}
              </>
            ) : null}
          </>
        )}
      </p>
    </section>
  );
}

/** Certificates: authorities, issued certificates with an expiry timeline, issue and batch issue, inspector. */
export function CertificatesPage() {
  const { nameOf } = useAccountNames();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<'' | 'active' | 'revoked'>('');
  const [kind, setKind] = useState<'' | 'device' | 'server'>('');
  const [expiring, setExpiring] = useState(false);
  const [certs, setCerts] = useState<CertificateRecord[]>([]);
  const [total, setTotal] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<string>();
  const [dialog, setDialog] = useState<'issue' | 'batch'>();
  const [notice, setNotice] = useState<string>();
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    const query: CertificateQuery = {
      ...(search.trim() ? { search: search.trim() } : {}),
      ...(status ? { status } : {}),
      ...(kind ? { kind } : {}),
    };
    try {
      const r = await pkiApi.listCertificates(query);
      if (mine !== seq.current) return;
      setCerts(r.items);
      setTotal(r.total);
      setError(undefined);
    } catch (err) {
      if (mine === seq.current) setError(errorMessage(err));
    } finally {
      if (mine === seq.current) setLoaded(true);
    }
  }, [search, status, kind]);

  // Typing in the filter: one request per pause; a PKI change reloads at once.
  useEffect(() => {
    const t = setTimeout(() => void load(), 200);
    return () => clearTimeout(t);
  }, [load]);
  useApiEvent('pki.changed', () => void load());

  const now = Date.now();
  const [sort, setSort] = useState<{ by: SortKey; desc: boolean }>({ by: 'createdAt', desc: true });
  const visible = useMemo(() => {
    const list = expiring
      ? certs.filter((c) => expiryState(c, now, WARN_DAYS) === 'expiring')
      : certs.slice();
    const dir = sort.desc ? -1 : 1;
    list.sort((a, b) => {
      const x = a[sort.by] ?? '';
      const y = b[sort.by] ?? '';
      const primary =
        typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
      return dir * primary || collator.compare(a.commonName, b.commonName);
    });
    return list;
  }, [certs, expiring, now, sort]);
  const current = certs.find((c) => c.serial === selected);

  const replace = (c: CertificateRecord) =>
    setCerts((list) => list.map((x) => (x.serial === c.serial ? c : x)));

  return (
    <div className="page cert-page" data-testid="certificates-page">
      <div className="cert-title">
        <h1>Certificates</h1>
        <button
          type="button"
          className="primary"
          onClick={() => setDialog('issue')}
          data-testid="issue-button"
        >
          Issue certificate…
        </button>
        <button type="button" onClick={() => setDialog('batch')} data-testid="batch-button">
          Batch issue from CSV…
        </button>
      </div>
      {notice ? (
        <p className="cert-ok" role="status" data-testid="cert-notice">
          {notice}
        </p>
      ) : null}
      <AuthoritiesPanel />
      <section className="panel cert-list" aria-labelledby="cert-list-title">
        <header className="panel-header">
          <h2 id="cert-list-title">Issued certificates</h2>
          <span className="muted" data-testid="cert-total">
            {loaded
              ? `${visible.length} shown${total > certs.length ? ` (newest ${MAX_LISTED} of ${total})` : ` of ${total}`}`
              : 'Loading…'}
          </span>
        </header>
        <div className="brk-toolbar">
          <input
            type="search"
            className="brk-filter"
            placeholder="Filter: common name, serial, subject…"
            aria-label="Filter certificates"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            data-testid="cert-filter"
          />
          <select
            aria-label="Status"
            value={status}
            onChange={(e) => setStatus(e.target.value as typeof status)}
          >
            <option value="">Any status</option>
            <option value="active">Active</option>
            <option value="revoked">Revoked</option>
          </select>
          <select aria-label="Kind" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
            <option value="">Devices and servers</option>
            <option value="device">Devices</option>
            <option value="server">Servers</option>
          </select>
          <label>
            <input type="checkbox" checked={expiring} onChange={(e) => setExpiring(e.target.checked)} />{' '}
            expiring within {WARN_DAYS} days
          </label>
        </div>
        <ErrorNote message={error} />
        <ExpiryTimeline
          items={visible}
          warnDays={WARN_DAYS}
          selected={selected}
          onSelect={setSelected}
          now={now}
        />
        <div className="brk-table cert-table">
          <div className="brk-row brk-head">
            {columns.map((col) =>
              col.sort ? (
                <span key={col.label}>
                  <button
                    type="button"
                    className="brk-sort"
                    aria-label={`Sort by ${col.label}`}
                    aria-pressed={sort.by === col.sort}
                    onClick={() =>
                      setSort((s) => ({
                        by: col.sort!,
                        desc: s.by === col.sort ? !s.desc : col.sort === 'createdAt',
                      }))
                    }
                  >
                    {col.label}
                    {sort.by === col.sort ? <span aria-hidden="true">{sort.desc ? ' ▾' : ' ▴'}</span> : null}
                  </button>
                </span>
              ) : (
                <span key={col.label}>{col.label}</span>
              ),
            )}
          </div>
          {visible.length === 0 ? (
            <p className="muted brk-empty">{loaded ? 'No certificates match.' : 'Loading…'}</p>
          ) : (
            <VirtualList
              className="brk-vrows"
              count={visible.length}
              rowHeight={30}
              maxHeight={360}
              testId="cert-rows"
              renderRow={(i, style) => {
                const c = visible[i]!;
                const state = expiryState(c, now, WARN_DAYS);
                return (
                  <div
                    key={c.serial}
                    style={style}
                    className={`brk-row cert-row${selected === c.serial ? ' selected' : ''}`}
                    data-testid="cert-row"
                    data-serial={c.serial}
                    data-cn={c.commonName}
                  >
                    <span className="ellipsis">
                      <button
                        type="button"
                        className="cert-link mono"
                        onClick={() => setSelected(c.serial)}
                        aria-pressed={selected === c.serial}
                        title={c.subject}
                      >
                        {c.commonName}
                      </button>
                    </span>
                    <span>{c.kind}</span>
                    <span className="ellipsis" title={c.accountId ?? ''}>
                      {nameOf(c.accountId) ?? <span className="muted">–</span>}
                    </span>
                    <span>
                      <span className={`cert-status cert-status-${c.status}`} data-testid="cert-status">
                        {c.status}
                      </span>
                    </span>
                    <span className="muted">{formatDate(c.notBefore)}</span>
                    <span className={`cert-expiry-${state}`}>
                      {formatDate(c.notAfter)} <span className="small">({expiryText(c.notAfter, now)})</span>
                    </span>
                    <span className="muted small">
                      {c.hasPrivateKey
                        ? c.keyAlgorithm
                        : `${c.keyAlgorithm === 'external' ? '' : `${c.keyAlgorithm} `}CSR`}
                    </span>
                    <span className="mono small muted">{shortFingerprint(c.fingerprintSha256)}</span>
                  </div>
                );
              }}
            />
          )}
        </div>
      </section>
      {current ? (
        <CertificateDetails
          key={current.serial}
          cert={current}
          onChanged={(c) => {
            replace(c);
            void load();
          }}
          onClose={() => setSelected(undefined)}
        />
      ) : null}
      <InspectorPanel />
      <HandshakeFailuresLink />
      {dialog === 'issue' ? (
        <IssueWizard
          onClose={() => setDialog(undefined)}
          onIssued={(c) => {
            setDialog(undefined);
            setCerts((list) => [c, ...list.filter((x) => x.serial !== c.serial)]);
            setSelected(c.serial);
            setNotice(`Issued ${c.commonName} (serial ${c.serial}).`);
            void load();
          }}
        />
      ) : null}
      {dialog === 'batch' ? (
        <BatchIssue onClose={() => setDialog(undefined)} onDone={() => void load()} />
      ) : null}
    </div>
  );
}
