import { useState } from 'react';
import type { ResponseOf } from '../../../../preload/contract';
import { useMutation, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { downloadFile, fileSafe } from './download';
import { pkiApi } from './pki-api';
import type { CertificateRecord } from './types';

const MANUAL = 'manual';

type Endpoint = ResponseOf<'endpoints.list'>['endpoints'][number];

/** ZIP bundle: CA chain, certificate, key and a mosquitto_pub command for an endpoint of the account. */
export function BundleExport({ cert }: { cert: CertificateRecord }) {
  return cert.accountId ? (
    <AccountBundleExport cert={cert} accountId={cert.accountId} />
  ) : (
    <BundleForm cert={cert} endpoints={[]} />
  );
}

/** The account's mqtts endpoints (its own or inherited): the bundle's command dials one of them. */
function AccountBundleExport({ cert, accountId }: { cert: CertificateRecord; accountId: string }) {
  const query = useQuery('endpoints.list', { accountId });
  const endpoints = query.data?.endpoints.filter((e) => e.scheme === 'mqtts') ?? [];
  return <BundleForm cert={cert} endpoints={endpoints} endpointsError={query.error} />;
}

function BundleForm({
  cert,
  endpoints,
  endpointsError,
}: {
  cert: CertificateRecord;
  endpoints: Endpoint[];
  endpointsError?: string;
}) {
  const listeners = useQuery('listeners.list', {});
  const mutual = listeners.data?.listeners.find((l) => l.kind === 'mqtts-mutual' && l.state === 'running');
  const [choice, setChoice] = useState<string>();
  const endpointId = choice ?? endpoints[0]?.id ?? MANUAL;
  const manual = endpointId === MANUAL;
  const [host, setHost] = useState('127.0.0.1');
  const [port, setPort] = useState('');
  const [topic, setTopic] = useState('');
  const zip = useMutation();
  const effectivePort = port.trim() === '' ? (mutual?.boundPort ?? 8883) : Number(port);
  const portIssue =
    manual &&
    port.trim() !== '' &&
    (!Number.isInteger(effectivePort) || effectivePort < 1 || effectivePort > 65535)
      ? 'a port from 1 to 65535'
      : undefined;
  const hostIssue = manual && !/^[A-Za-z0-9.:_-]+$/.test(host) ? 'an IP address or host name' : undefined;

  return (
    <>
      <form
        className="cert-export-row"
        data-testid="bundle-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (portIssue || hostIssue) return;
          const target = manual ? { host, port: effectivePort } : { endpointId };
          const r = await zip.perform(() =>
            pkiApi.exportBundle(cert.serial, { ...target, ...(topic.trim() ? { topic: topic.trim() } : {}) }),
          );
          if (r) {
            downloadFile(
              r.fileName || `${fileSafe(cert.commonName)}-bundle.zip`,
              { base64: r.base64 },
              'application/zip',
            );
          }
        }}
      >
        {cert.accountId ? (
          <label>
            Endpoint{' '}
            <select
              value={endpointId}
              onChange={(e) => setChoice(e.target.value)}
              aria-label="Bundle endpoint"
            >
              {endpoints.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.scheme}://{e.domain}:{e.port}
                </option>
              ))}
              <option value={MANUAL}>Enter host and port…</option>
            </select>
          </label>
        ) : null}
        {manual ? (
          <>
            <label>
              Broker host{' '}
              <input
                value={host}
                onChange={(e) => setHost(e.target.value)}
                size={14}
                aria-invalid={hostIssue ? true : undefined}
              />
            </label>
            <label>
              Port{' '}
              <input
                value={port}
                placeholder={String(mutual?.boundPort ?? 8883)}
                inputMode="numeric"
                size={6}
                onChange={(e) => setPort(e.target.value)}
                aria-invalid={portIssue ? true : undefined}
              />
            </label>
          </>
        ) : null}
        <label>
          Topic{' '}
          <input value={topic} placeholder="devices/…" onChange={(e) => setTopic(e.target.value)} size={14} />
        </label>
        <button type="submit" disabled={zip.busy || !!portIssue || !!hostIssue}>
          ZIP bundle with mosquitto_pub command
        </button>
        {portIssue || hostIssue ? <span className="brk-field-error">{hostIssue ?? portIssue}</span> : null}
      </form>
      <p className="muted small" data-testid="bundle-note">
        {!cert.accountId
          ? 'This certificate is not bound to an account: the command carries -u/-P placeholders, since the broker also needs a username and password.'
          : manual
            ? endpoints.length === 0
              ? 'The account has no mqtts endpoint yet (add one on Endpoints); type the host and port the device dials.'
              : 'A typed host and port are not recorded on the device.'
            : 'The device is recorded as provisioned with this endpoint.'}
      </p>
      <ErrorNote message={endpointsError ?? zip.error} />
    </>
  );
}
