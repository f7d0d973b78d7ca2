import type { ComponentType } from 'react';
import { SystemPage } from './system/SystemPage';

export interface PageEntry {
  id: string;
  title: string;
  component: ComponentType;
}

/** The navigation, in order. Each capability adds its page here. */
export const pages: PageEntry[] = [{ id: 'system', title: 'System', component: SystemPage }];
