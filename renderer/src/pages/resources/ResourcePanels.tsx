import { useEffect, useState } from 'react';
import type {
  ResourceKeyDto,
  ResourceOverview,
  ResourceSubscriberDto,
  RestListenerDto,
} from '../../../../preload/contract/resources';
import { useMutation, useQuery } from '../../api/hooks';
import { ErrorNote } from '../../components';
import { SeriesChart } from '../explorer/SeriesChart';
import { formatWhen } from '../tenancy/shared/dates';

type Resource = ResourceOverview['thngs'][number];
const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Thngs with their latest properties; selecting one shows its property history and locations. */
export function ThngsPanel({
  accountId,
  thngs,
  onChanged,
}: {
  accountId: string;
  thngs: Resource[];
  onChanged(): void;
}) {
  const [selected, setSelected] = useState<string>();
  const [name, setName] = useState('');
  const m = useMutation();
  const thng = thngs.find((t) => t['id'] === selected);
  return (
    <section className="panel" data-testid="resources-thngs">
      <h2>Thngs</h2>
      <form
        className="tn-form-row"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await m.attempt('resources.createThng', { accountId, name });
          if (r.ok) {
            setName('');
            onChanged();
          }
        }}
      >
        <input
          aria-label="New Thng name"
          placeholder="New Thng name"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" disabled={!name || m.busy} data-testid="thng-create">
          Create Thng
        </button>
      </form>
      <ErrorNote message={m.error} />
      <table className="grid tn-table">
        <thead>
          <tr>
            <th>Id</th>
            <th>Name</th>
            <th>Properties (latest)</th>
            <th>Location</th>
          </tr>
        </thead>
        <tbody>
          {thngs.map((t) => {
            const props = (t['properties'] ?? {}) as Record<string, unknown>;
            const location = t['location'] as { position: { coordinates: [number, number] } } | undefined;
            return (
              <tr
                key={String(t['id'])}
                className={t['id'] === selected ? 'selected' : undefined}
                onClick={() => setSelected(String(t['id']))}
                data-testid="thng-row"
              >
                <td>
                  <code>{String(t['id'])}</code>
                </td>
                <td>{String(t['name'])}</td>
                <td>
                  {Object.entries(props).map(([k, v]) => (
                    <span key={k} className="res-prop">
                      {k} = {text(v)}{' '}
                    </span>
                  ))}
                </td>
                <td>{location ? location.position.coordinates.join(', ') : '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {thng ? <ThngDetail accountId={accountId} thng={thng} /> : null}
    </section>
  );
}

function ThngDetail({ accountId, thng }: { accountId: string; thng: Resource }) {
  const id = String(thng['id']);
  const keys = Object.keys((thng['properties'] ?? {}) as Record<string, unknown>);
  const [key, setKey] = useState<string | undefined>(keys[0]);
  const history = useQuery('resources.history', { accountId, ownerId: id, key: key ?? '-' });
  const locations = useQuery('resources.locations', { accountId, thngId: id });
  // The overview is polled; a changed latest value or location means new history to read.
  const latest = `${text(thng['updatedAt'])}/${text((thng['properties'] as Record<string, unknown>)?.[key ?? ''])}`;
  const where = text(thng['location']);
  const reloadHistory = history.reload;
  const reloadLocations = locations.reload;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `latest` is the signal to read history again
  useEffect(() => reloadHistory(), [latest, reloadHistory]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `where` is the signal to read locations again
  useEffect(() => reloadLocations(), [where, reloadLocations]);
  const points = [...(history.data?.points ?? [])].reverse();
  const numeric = points.every((p) => typeof p.value === 'number');
  return (
    <div className="res-detail" data-testid="thng-detail">
      <h3>{String(thng['name'])}</h3>
      <label>
        Property{' '}
        <select value={key ?? ''} onChange={(e) => setKey(e.target.value)} data-testid="property-select">
          {keys.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </label>
      {key && numeric && points.length > 0 ? (
        <SeriesChart
          data={{
            times: points.map((p) => p.timestamp),
            series: [{ field: key, values: points.map((p) => p.value as number) }],
          }}
        />
      ) : null}
      <table className="grid tn-table" data-testid="property-history">
        <thead>
          <tr>
            <th>Time</th>
            <th>Value</th>
          </tr>
        </thead>
        <tbody>
          {(history.data?.points ?? []).slice(0, 20).map((p) => (
            <tr key={`${p.timestamp}-${text(p.value)}`}>
              <td>{formatWhen(p.timestamp)}</td>
              <td>{text(p.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Locations</h3>
      <table className="grid tn-table" data-testid="location-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>Longitude</th>
            <th>Latitude</th>
          </tr>
        </thead>
        <tbody>
          {(locations.data?.locations ?? []).map((l) => (
            <tr key={`${l.timestamp}-${l.position.coordinates.join(',')}`}>
              <td>{formatWhen(l.timestamp)}</td>
              <td>{l.position.coordinates[0]}</td>
              <td>{l.position.coordinates[1]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SimpleList({ title, items, testId }: { title: string; items: Resource[]; testId: string }) {
  return (
    <section className="panel" data-testid={testId}>
      <h2>{title}</h2>
      {items.length === 0 ? <p className="tn-empty">None yet.</p> : null}
      <ul>
        {items.map((i) => (
          <li key={String(i['id'])}>
            {String(i['name'])} <code>{String(i['id'])}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ActionsPanel({ actions }: { actions: Resource[] }) {
  return (
    <section className="panel" data-testid="resources-actions">
      <h2>Actions (newest first)</h2>
      <table className="grid tn-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>Type</th>
            <th>Thng</th>
            <th>Fields</th>
          </tr>
        </thead>
        <tbody>
          {actions.map((a) => (
            <tr key={String(a['id'])}>
              <td>{formatWhen(a['timestamp'] as number)}</td>
              <td>{String(a['type'])}</td>
              <td>{a['thng'] ? <code>{String(a['thng'])}</code> : '–'}</td>
              <td>{a['customFields'] ? text(a['customFields']) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function KeysPanel({
  keys,
  thngs,
  onChanged,
}: {
  keys: ResourceKeyDto[];
  thngs: Resource[];
  onChanged(): void;
}) {
  const m = useMutation();
  return (
    <section className="panel" data-testid="resources-keys">
      <h2>API keys and what they reach</h2>
      <ErrorNote message={m.error} />
      <table className="grid tn-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Scope</th>
            <th>Own Thng (device keys)</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id} data-testid="resource-key-row">
              <td>{k.name}</td>
              <td>{k.type}</td>
              <td data-testid="resource-key-scope">{k.revoked ? 'revoked' : k.scope}</td>
              <td>
                {k.type === 'device' ? (
                  <select
                    aria-label={`Thng of ${k.name}`}
                    value={k.thngId ?? ''}
                    onChange={async (e) => {
                      const r = await m.attempt('resources.bindKey', {
                        apiKeyId: k.id,
                        thngId: e.target.value || null,
                        projectId: k.projectId,
                      });
                      if (r.ok) onChanged();
                    }}
                  >
                    <option value="">(none)</option>
                    {thngs.map((t) => (
                      <option key={String(t['id'])} value={String(t['id'])}>
                        {String(t['name'])}
                      </option>
                    ))}
                  </select>
                ) : (
                  '–'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function SubscribersPanel({ subscribers }: { subscribers: ResourceSubscriberDto[] }) {
  return (
    <section className="panel" data-testid="resources-subscribers">
      <h2>Live subscribers</h2>
      {subscribers.length === 0 ? <p className="tn-empty">Nobody is subscribed right now.</p> : null}
      <table className="grid tn-table">
        <thead>
          <tr>
            <th>Protocol</th>
            <th>Topic or path</th>
            <th>Who</th>
          </tr>
        </thead>
        <tbody>
          {subscribers.map((s) => (
            <tr key={`${s.protocol}-${s.topic}-${s.who}`} data-testid="subscriber-row">
              <td>{s.protocol === 'ws' ? 'WebSocket' : 'MQTT'}</td>
              <td>
                <code>{s.topic}</code>
              </td>
              <td>{s.who}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function RestListenersPanel() {
  const list = useQuery('resources.restListeners.list', {});
  const [port, setPort] = useState('8081');
  const [kind, setKind] = useState<'rest' | 'rests'>('rest');
  const m = useMutation();
  const listeners: RestListenerDto[] = list.data?.listeners ?? [];
  return (
    <section className="panel" data-testid="resources-rest">
      <h2>REST API listeners</h2>
      <ErrorNote message={m.error ?? list.error} />
      <ul>
        {listeners.map((l) => (
          <li key={l.id}>
            {l.kind} {l.host}:{l.boundPort ?? l.port} — {l.state}
            {l.error ? ` (${l.error})` : ''}{' '}
            <button
              type="button"
              onClick={async () => {
                await m.attempt('resources.restListeners.remove', { id: l.id });
                list.reload();
              }}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form
        className="tn-form-row"
        onSubmit={async (e) => {
          e.preventDefault();
          await m.attempt('resources.restListeners.set', {
            kind,
            port: Number(port),
            host: '0.0.0.0',
            enabled: true,
          });
          list.reload();
        }}
      >
        <select
          aria-label="REST listener kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as 'rest' | 'rests')}
        >
          <option value="rest">rest (HTTP)</option>
          <option value="rests">rests (HTTPS)</option>
        </select>
        <input aria-label="REST listener port" value={port} onChange={(e) => setPort(e.target.value)} />
        <button type="submit" disabled={m.busy || !/^\d+$/.test(port)}>
          Add listener
        </button>
      </form>
    </section>
  );
}
