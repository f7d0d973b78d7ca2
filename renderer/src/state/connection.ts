import { create } from 'zustand';
import type { ConnectionStatus } from '../api/ws-client';

interface ConnectionState {
  status: ConnectionStatus;
  droppedEvents: number;
  set(status: ConnectionStatus, droppedEvents: number): void;
}

/** Health of the link to the core, shown in the status bar. */
export const useConnection = create<ConnectionState>((set) => ({
  status: 'connecting',
  droppedEvents: 0,
  set: (status, droppedEvents) => set({ status, droppedEvents }),
}));
