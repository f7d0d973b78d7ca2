export { LiteClient, type LiteConnectOptions } from './mqtt-lite';
export { type Fleet, fleetIds, keysFromFiles, provisionThroughApi, type SimulatorApi } from './provision';
export { GatewaySimulator, type SimulatorOptions, type SimulatorReport } from './simulator';
export { RemoteOperatorApi } from './api-client';
