import type { ComponentType } from 'react';
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
  { id: 'explorer', title: 'Explorer', component: ExplorerPage },
  { id: 'traffic', title: 'Traffic', component: TrafficPage },
];
