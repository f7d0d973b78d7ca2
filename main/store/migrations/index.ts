import { coreMigration } from './0001-core';
import { brokerMigration } from './0002-broker';
import { tenancyMigration } from './0003-tenancy';
import { pkiMigration } from './0004-pki';
import { explorerMigration } from './0005-explorer';
import { listenersMigration } from './0006-listeners';
import { loginFailuresMigration } from './0007-login-failures';
import { brokerWillsMigration } from './0008-broker-wills';
import { provisioningMigration } from './0009-provisioning';
import { gatewaysMigration } from './0010-gateways';
import { resourcesMigration } from './0011-resources';
import { onboardingMigration } from './0012-onboarding';
import { commissioningMigration } from './0013-commissioning';
import type { Migration } from './types';

export type { Migration } from './types';

export const migrations: readonly Migration[] = [
  coreMigration,
  brokerMigration,
  tenancyMigration,
  pkiMigration,
  explorerMigration,
  listenersMigration,
  loginFailuresMigration,
  brokerWillsMigration,
  provisioningMigration,
  gatewaysMigration,
  resourcesMigration,
  onboardingMigration,
  commissioningMigration,
];

export const latestSchemaVersion = migrations.length;
