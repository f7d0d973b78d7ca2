import { useState } from 'react';
import { useMutation, useQuery } from '../../api/hooks';
import { DataTable, ErrorNote, NumberField, SelectField, StatusBadge, TextField } from '../../components';

/** Live serial ports, adding a PTY path, and starting a (station) run on the ticked ports. */
export function PortsPanel() {
  const ports = useQuery('serial.listPorts', {}, { refetchOn: ['serial.ports'] });
  const accounts = useQuery('accounts.list', {});
  const info = useQuery('provisioning.info', {});
  const m = useMutation();
  const [extraPath, setExtraPath] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [accountId, setAccountId] = useState('');
  const [timeout, setTimeoutSeconds] = useState<number | undefined>(60);
  const [credential, setCredential] = useState<'password' | 'certificate'>('password');

  const rows = ports.data?.ports ?? [];
  const targets = (accounts.data?.accounts ?? []).filter(
    (a) => a.parentId !== null && a.id !== info.data?.provisionAccountId,
  );
  const toggle = (path: string) =>
    setPicked((now) => (now.includes(path) ? now.filter((p) => p !== path) : [...now, path]));

  const add = async () => {
    if (await m.run('serial.addPort', { path: extraPath.trim() })) {
      setExtraPath('');
      ports.reload();
    }
  };
  const start = async () => {
    const started = await m.run('commissioning.start', {
      ports: picked.map((path) => ({ path })),
      targetAccountId: accountId,
      onlineTimeoutSeconds: timeout ?? 60,
      template: { credential },
    });
    if (started) setPicked([]);
  };

  return (
    <section className="panel" data-testid="commissioning-ports">
      <h2>Ports</h2>
      <ErrorNote message={ports.error ?? m.error} />
      {ports.data?.listError ? (
        <p className="muted">
          Device details unavailable ({ports.data.listError}); ports found by scanning /dev.
        </p>
      ) : null}
      <DataTable
        label="Serial ports"
        rows={rows}
        rowKey={(p) => p.path}
        empty="No serial ports found. Plug a gateway in, or add a path (e.g. a socat PTY link)."
        columns={[
          {
            key: 'pick',
            header: '',
            render: (p) => (
              <input
                type="checkbox"
                aria-label={`Commission ${p.path}`}
                data-testid={`pick-${p.path}`}
                checked={picked.includes(p.path)}
                disabled={p.inUse !== null}
                onChange={() => toggle(p.path)}
              />
            ),
          },
          {
            key: 'path',
            header: 'Path',
            render: (p) => <span className="mono">{p.path}</span>,
            sortValue: (p) => p.path,
          },
          {
            key: 'details',
            header: 'Device',
            render: (p) =>
              [p.manufacturer, p.vendorId && `${p.vendorId}:${p.productId}`, p.serialNumber]
                .filter(Boolean)
                .join(' · ') || p.source,
          },
          {
            key: 'use',
            header: 'In use',
            render: (p) =>
              p.inUse === 'other' ? (
                <StatusBadge status="busy" tone="bad">
                  open in another program
                </StatusBadge>
              ) : p.inUse === 'fieldbench' ? (
                <StatusBadge status="running">Fieldbench</StatusBadge>
              ) : (
                'free'
              ),
          },
        ]}
      />
      <div className="cm-row">
        <TextField
          label="Add a port path"
          value={extraPath}
          onChange={setExtraPath}
          placeholder="/tmp/fb/host"
          testId="add-port-path"
        />
        <button
          type="button"
          onClick={add}
          disabled={m.busy || extraPath.trim() === ''}
          data-testid="add-port"
        >
          Add
        </button>
      </div>
      <div className="cm-row">
        <SelectField
          label="Target account"
          value={accountId}
          onChange={setAccountId}
          testId="target-account"
          options={[{ value: '', label: 'Choose…' }, ...targets.map((a) => ({ value: a.id, label: a.name }))]}
        />
        <SelectField
          label="Device credential"
          value={credential}
          onChange={(v) => setCredential(v as 'password' | 'certificate')}
          options={[
            { value: 'password', label: 'Password' },
            { value: 'certificate', label: 'Certificate (CSR made on the device)' },
          ]}
        />
        <NumberField
          label="Online timeout (s)"
          value={timeout}
          onChange={setTimeoutSeconds}
          min={1}
          max={900}
        />
        <button
          type="button"
          onClick={start}
          disabled={m.busy || picked.length === 0 || accountId === ''}
          data-testid="start-commissioning"
        >
          Commission {picked.length} port{picked.length === 1 ? '' : 's'}
        </button>
      </div>
    </section>
  );
}
