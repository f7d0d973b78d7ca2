import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type { handshakeFailureSchema } from '../../../../preload/contract/listeners';
import { useApiEvent, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';

type Failure = z.infer<typeof handshakeFailureSchema>;
const MAX = 500;

/** Failed TLS handshakes, newest first, each with the plain-language reason; live. */
export function HandshakeFailuresPanel({ onCount }: { onCount?(n: number): void }) {
  const initial = useQuery('listeners.handshakeFailures', {});
  const [failures, setFailures] = useState<Failure[]>([]);
  const [expanded, setExpanded] = useState<string>();
  useEffect(() => {
    if (initial.data) setFailures((live) => mergeNewestFirst(live, initial.data!.failures));
  }, [initial.data]);
  useApiEvent('listeners.handshakeFailure', (f) => setFailures((list) => [f, ...list].slice(0, MAX)));
  useEffect(() => onCount?.(failures.length), [failures.length, onCount]);

  return (
    <section aria-label="TLS handshake failures">
      <p className="muted small">
        Clients whose TLS handshake failed, newest first. The reason is the broker&apos;s reading of the TLS
        error; expand a row for the raw detail.
      </p>
      <ErrorNote message={initial.error} />
      {failures.length === 0 ? (
        <p className="muted" data-testid="handshake-empty">
          {initial.loading ? 'Loading…' : 'No failed TLS handshakes.'}
        </p>
      ) : (
        <div className="brk-scroll-y">
          <table className="grid brk-failures" data-testid="handshake-failures">
            <thead>
              <tr>
                <th>Time</th>
                <th>Listener</th>
                <th>Client address</th>
                <th>Reason</th>
                <th>
                  <span className="visually-hidden">Detail</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {failures.map((f) => {
                const key = failureKey(f);
                return (
                  <tr key={key} data-testid="handshake-failure-row">
                    <td className="mono">
                      {new Date(f.time).toLocaleTimeString(undefined, { hour12: false })}
                    </td>
                    <td>{f.listenerKind}</td>
                    <td className="mono">{f.remoteAddress}</td>
                    <td className="brk-reason">
                      <span className="brk-tag brk-tag-bad">{f.reason}</span> {f.message}
                      {expanded === key ? (
                        <div className="mono small muted brk-detail">{f.detail}</div>
                      ) : null}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="small-button"
                        aria-expanded={expanded === key}
                        onClick={() => setExpanded(expanded === key ? undefined : key)}
                      >
                        {expanded === key ? 'Less' : 'Detail'}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function failureKey(f: Failure): string {
  return `${f.time}|${f.listenerId}|${f.remoteAddress}|${f.detail}`;
}

function mergeNewestFirst(live: Failure[], loaded: Failure[]): Failure[] {
  const seen = new Set(live.map(failureKey));
  return [...live, ...loaded.filter((f) => !seen.has(failureKey(f)))]
    .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0))
    .slice(0, MAX);
}
