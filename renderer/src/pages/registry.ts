import type { ComponentType } from 'react';
import { BrokerPage } from './broker/BrokerPage';
import { CertificatesPage } from './certificates/CertificatesPage';
import { CommissioningPage } from './commissioning/CommissioningPage';
import { ExplorerPage } from './explorer/ExplorerPage';
import { GatewaysPage } from './gateways/GatewaysPage';
import { HomePage } from './home/HomePage';
import { OnboardingPage } from './onboarding/OnboardingPage';
import { ProvisioningPage } from './provisioning/ProvisioningPage';
import { ResourcesPage } from './resources/ResourcesPage';
import { SystemPage } from './system/SystemPage';
import * as tenancy from './tenancy';
import { TrafficPage } from './traffic/TrafficPage';

/** The sidebar's sections, in the order they are shown. */
export const navGroups = ['Overview', 'Traffic', 'Broker', 'Tenants', 'Commissioning'] as const;
export type NavGroup = (typeof navGroups)[number];

export interface PageEntry {
  id: string;
  title: string;
  /** The sidebar section the page is listed in (sections keep the order of `navGroups`). */
  group: NavGroup;
  component: ComponentType;
}

/** The navigation, in order within each group. Each capability adds its page here with one line. */
export const pages: PageEntry[] = [
  { id: 'home', title: 'Home', group: 'Overview', component: HomePage },
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
  { id: 'audit', title: 'Audit log', group: 'Tenants', component: tenancy.AuditPage },
  {
    id: 'commissioning',
    title: 'Serial commissioning',
    group: 'Commissioning',
    component: CommissioningPage,
  },
  { id: 'provisioning', title: 'Provisioning', group: 'Commissioning', component: ProvisioningPage },
  { id: 'gateways', title: 'Gateways', group: 'Commissioning', component: GatewaysPage },
  { id: 'onboarding', title: 'Onboarding', group: 'Commissioning', component: OnboardingPage },
  { id: 'resources', title: 'Resources', group: 'Commissioning', component: ResourcesPage },
];
