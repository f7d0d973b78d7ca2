import type { ComponentType } from 'react';
import { BrokerPage } from './broker/BrokerPage';
import { CertificatesPage } from './certificates/CertificatesPage';
import { ExplorerPage } from './explorer/ExplorerPage';
import { SystemPage } from './system/SystemPage';
import * as tenancy from './tenancy';
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
  { id: 'certificates', title: 'Certificates', component: CertificatesPage },
  { id: 'explorer', title: 'Explorer', component: ExplorerPage },
  { id: 'traffic', title: 'Traffic', component: TrafficPage },
  { id: 'accounts', title: 'Accounts', component: tenancy.AccountsPage },
  { id: 'services', title: 'Messaging services', component: tenancy.ServicesPage },
  { id: 'endpoints', title: 'Endpoints', component: tenancy.EndpointsPage },
  { id: 'connection-settings', title: 'Connection settings', component: tenancy.ConnectionSettingsPage },
  { id: 'connections', title: 'Connections', component: tenancy.ConnectionsPage },
  { id: 'credentials', title: 'Credentials', component: tenancy.CredentialsPage },
  { id: 'api-keys', title: 'API keys', component: tenancy.ApiKeysPage },
  { id: 'audit', title: 'Audit log', component: tenancy.AuditPage },
];
