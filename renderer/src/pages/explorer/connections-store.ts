import { create } from 'zustand';
import type { ExplorerConnectionInfo } from '../../../../preload/contract/explorer';
import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';

const POINTS = 60;

interface ConnectionsState {
  connections: ExplorerConnectionInfo[];
  /** The connection the Explorer and Traffic pages look at. */
  selectedId: string;
  /** Messages per second per connection, one point a second (from the message counters). */
  rates: Record<string, number[]>;
  error: string | undefined;
  loaded: boolean;
  select(id: string): void;
}

export const useConnections = create<ConnectionsState>((set) => ({
  connections: [],
  selectedId: localStorage.getItem('fieldbench.explorer.connection') ?? 'local',
  rates: {},
  error: undefined,
  loaded: false,
  select: (id) => {
    localStorage.setItem('fieldbench.explorer.connection', id);
    set({ selectedId: id });
  },
}));

let lastCounts: Record<string, { messages: number; at: number }> = {};
let users = 0;
let stopFn: (() => void) | undefined;

function accept(connections: ExplorerConnectionInfo[]): void {
  const state = useConnections.getState();
  const selectedExists = connections.some((c) => c.id === state.selectedId);
  useConnections.setState({
    connections,
    loaded: true,
    error: undefined,
    ...(selectedExists ? {} : { selectedId: 'local' }),
  });
}

function sampleRates(connections: ExplorerConnectionInfo[]): void {
  const now = Date.now();
  const rates = { ...useConnections.getState().rates };
  const next: typeof lastCounts = {};
  for (const c of connections) {
    const prev = lastCounts[c.id];
    const rate =
      prev && now > prev.at ? Math.max(0, ((c.messages - prev.messages) * 1000) / (now - prev.at)) : 0;
    rates[c.id] = [...(rates[c.id] ?? []).slice(-(POINTS - 1)), rate];
    next[c.id] = { messages: c.messages, at: now };
  }
  lastCounts = next;
  useConnections.setState({ rates });
}

async function refresh(): Promise<void> {
  try {
    const { connections } = await api().call('explorer.connections.list', {});
    accept(connections);
    sampleRates(connections);
  } catch (err) {
    useConnections.setState({ error: errorMessage(err), loaded: true });
  }
}

/** Keeps the connection list fresh while any page uses it; returns a release function. */
export function retainConnections(): () => void {
  users++;
  if (users === 1) {
    const off = api().on('explorer.connections', (e) => accept(e.connections));
    void refresh();
    const timer = setInterval(() => void refresh(), 1000);
    stopFn = () => {
      off();
      clearInterval(timer);
    };
  }
  return () => {
    users--;
    if (users === 0) {
      stopFn?.();
      stopFn = undefined;
    }
  };
}

export function refreshConnections(): Promise<void> {
  return refresh();
}
