import './tenancy.css';

// The tenancy pages, imported once by the page registry.
export { AccountsPage } from './accounts/AccountsPage';
export { ApiKeysPage } from './apikeys/ApiKeysPage';
export { AuditPage } from './audit/AuditPage';
export { ConnectionsPage } from './connections/ConnectionsPage';
export { CredentialsPage } from './credentials/CredentialsPage';
export { EndpointsPage } from './endpoints/EndpointsPage';
export { ServicesPage } from './services/ServicesPage';
export { ConnectionSettingsPage } from './settings/ConnectionSettingsPage';
