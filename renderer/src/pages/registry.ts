import type { ComponentType } from 'react';
import { BrokerPage } from './broker/BrokerPage';
import { ExplorerPage } from './explorer/ExplorerPage';
import { SystemPage } from './system/SystemPage';
import { TrafficPage } from './traffic/TrafficPage';

export interface PageEntry {
  id: string;
  title: string;
  component: ComponentType;
}

/** The navigation, in order. Each capability adds its page here. */
export const pages: PageEntry[] = [
  { id: 'system', title: 'System', component: SystemPage },
  { id: 'broker', title: 'Broker', component: BrokerPage },
  { id: 'explorer', title: 'Explorer', component: ExplorerPage },
  { id: 'traffic', title: 'Traffic', component: TrafficPage },
];
