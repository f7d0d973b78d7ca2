import { useMemo } from 'react';
import type { GatewayDevice } from '../../../../preload/contract/gateways';
import { VirtualList } from '../../components';

export type TreeRow =
  | { type: 'gateway'; device: GatewayDevice }
  | { type: 'bound'; device: GatewayDevice; gatewayId: string }
  | { type: 'heading'; label: string }
  | { type: 'direct'; device: GatewayDevice };

const ROW = 28;
/** Keys expiring within this are flagged. */
const EXPIRY_WARNING_MS = 7 * 24 * 3600_000;

/** Gateways with their bound devices, then devices bound to no gateway. */
export function treeRows(devices: GatewayDevice[]): TreeRow[] {
  const byId = new Map(devices.map((d) => [d.deviceId, d]));
  const rows: TreeRow[] = [];
  for (const gateway of devices.filter((d) => d.kind === 'gateway')) {
    rows.push({ type: 'gateway', device: gateway });
    for (const id of gateway.bindings) {
      const device = byId.get(id);
      if (device) rows.push({ type: 'bound', device, gatewayId: gateway.deviceId });
    }
  }
  const direct = devices.filter((d) => d.kind === 'device' && d.bindings.length === 0);
  if (direct.length > 0) {
    rows.push({ type: 'heading', label: 'Devices bound to no gateway' });
    for (const device of direct) rows.push({ type: 'direct', device });
  }
  return rows;
}

export function keyWarning(device: GatewayDevice, now = Date.now()): string | null {
  if (device.keys.length === 0) return 'no keys';
  const expiring = device.keys.filter((k) => k.expiresAt !== null && k.expiresAt - now < EXPIRY_WARNING_MS);
  if (expiring.length === 0) return null;
  return expiring.some((k) => k.expiresAt! <= now) ? 'key expired' : 'key expires soon';
}

function time(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toLocaleTimeString();
}

export function DeviceTree({
  devices,
  selected,
  onSelect,
}: {
  devices: GatewayDevice[];
  selected: string | undefined;
  onSelect(deviceId: string): void;
}) {
  const rows = useMemo(() => treeRows(devices), [devices]);
  const now = Date.now();
  return (
    <div className="gw-tree">
      <div className="gw-row gw-head">
        <span>Device</span>
        <span>Status</span>
        <span>Last event</span>
        <span>Last state</span>
        <span>Config</span>
      </div>
      <VirtualList
        count={rows.length}
        rowHeight={ROW}
        testId="gateway-tree"
        containerProps={{ role: 'tree', 'aria-label': 'Gateways and devices' }}
        className="gw-list"
        renderRow={(index, style) => {
          const row = rows[index]!;
          if (row.type === 'heading') {
            return (
              <div key={`h-${index}`} className="gw-row gw-heading" style={style}>
                {row.label}
              </div>
            );
          }
          const d = row.device;
          const online = d.connected || d.attachedTo.length > 0;
          const warning = keyWarning(d, now);
          const testId = row.type === 'bound' ? `tree-${row.gatewayId}-${d.deviceId}` : `tree-${d.deviceId}`;
          return (
            <div
              key={testId}
              data-testid={testId}
              className={`gw-row gw-${row.type}${selected === d.deviceId ? ' gw-selected' : ''}`}
              style={style}
              onClick={() => onSelect(d.deviceId)}
              onKeyDown={(e) => e.key === 'Enter' && onSelect(d.deviceId)}
              role="treeitem"
              aria-selected={selected === d.deviceId}
              tabIndex={0}
            >
              <span className="gw-name">
                <span className={`gw-dot ${online ? 'on' : 'off'}`} />
                {row.type === 'gateway' ? '▾ ' : ''}
                {d.deviceId}
                {d.kind === 'gateway' ? <span className="gw-badge">gateway</span> : null}
                {d.blocked ? <span className="gw-badge gw-bad">blocked</span> : null}
                {warning ? <span className="gw-badge gw-warn">{warning}</span> : null}
              </span>
              <span data-testid="tree-status">
                {d.connected
                  ? 'connected'
                  : d.attachedTo.length > 0
                    ? `attached via ${d.attachedTo.join(', ')}`
                    : 'offline'}
              </span>
              <span className="gw-preview" title={d.lastEvent?.text}>
                {d.lastEvent ? `${time(d.lastEventAt)} ${d.lastEvent.text}` : ''}
              </span>
              <span className="gw-preview" title={d.lastState?.text}>
                {d.lastState ? `${time(d.lastStateAt)} ${d.lastState.text}` : ''}
              </span>
              <span data-testid="tree-config">
                {d.configVersion > 0
                  ? `v${d.configVersion} ${d.configAckedVersion === d.configVersion ? 'acknowledged' : `(acked v${d.configAckedVersion})`}`
                  : ''}
              </span>
            </div>
          );
        }}
      />
    </div>
  );
}
