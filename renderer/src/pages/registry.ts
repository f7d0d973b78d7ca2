import type { ComponentType } from 'react';
import { BrokerPage } from './broker/BrokerPage';
import { CertificatesPage } from './certificates/CertificatesPage';
import { ExplorerPage } from './explorer/ExplorerPage';
import { OnboardingPage } from './onboarding/OnboardingPage';
import { SystemPage } from './system/SystemPage';
import * as tenancy from './tenancy';
import { TrafficPage } from './traffic/TrafficPage';

export interface PageEntry {
  id: string;
  title: string;
  /** Navigation section heading; consecutive pages with the same group are listed together. */
  group: 'Overview' | 'Traffic' | 'Broker' | 'Tenants';
  component: ComponentType;
}

/** The navigation, in order. Each capability adds its page here. */
export const pages: PageEntry[] = [
  { id: 'system', title: 'System', group: 'Overview', component: SystemPage },
  { id: 'explorer', title: 'Explorer', group: 'Traffic', component: ExplorerPage },
  { id: 'traffic', title: 'Traffic', group: 'Traffic', component: TrafficPage },
  { id: 'broker', title: 'Broker', group: 'Broker', component: BrokerPage },
  { id: 'certificates', title: 'Certificates', group: 'Broker', component: CertificatesPage },
  { id: 'accounts', title: 'Accounts', group: 'Tenants', component: tenancy.AccountsPage },
  { id: 'services', title: 'Messaging services', group: 'Tenants', component: tenancy.ServicesPage },
  { id: 'endpoints', title: 'Endpoints', group: 'Tenants', component: tenancy.EndpointsPage },
  {
    id: 'connection-settings',
    title: 'Connection settings',
    group: 'Tenants',
    component: tenancy.ConnectionSettingsPage,
  },
  { id: 'connections', title: 'Connections', group: 'Tenants', component: tenancy.ConnectionsPage },
  { id: 'credentials', title: 'Credentials', group: 'Tenants', component: tenancy.CredentialsPage },
  { id: 'api-keys', title: 'API keys', group: 'Tenants', component: tenancy.ApiKeysPage },
  { id: 'onboarding', title: 'Onboarding', group: 'Tenants', component: OnboardingPage },
  { id: 'audit', title: 'Audit log', group: 'Tenants', component: tenancy.AuditPage },
];
