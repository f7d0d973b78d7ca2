// The scenario registry: one line per scenario file. `bench/run.ts` runs everything exported here.
export { fanIn } from './fan-in';
export { fanOut } from './fan-out';
export { qos1FanIn } from './qos1-fan-in';
export { latency } from './latency';
export { idleConnections } from './idle-connections';
export { flood } from './flood';
export { explorerUi } from './explorer-ui';
export { pkiIssue } from './pki-issue';
export { hostileTraffic } from './hostile-traffic';
export { gateways } from './gateways';
export { resources } from './resources';
export { provisioning } from './provisioning';
export { onboardingStorm } from './onboarding-storm';
export { serialCommissioning } from './serial-commissioning';
