// The device side of provisioning, usable without the Fieldbench core (only mqtt.js and the protocol).
export {
  type AgentOptions,
  AgentConfigurationError,
  type AgentResult,
  chainRootIsTrusted,
  type DeviceConfiguration,
  type ReceivedFile,
  runProvisioningAgent,
} from './agent';
export {
  BUNDLE_KEYS,
  bundleFromProperties,
  bundleToProperties,
  type DeviceIdentity,
  defaultBundle,
  defaultClientId,
  defaultUsername,
  type ProvisionBundle,
} from './bundle';
export { ProvisioningRefused, ProvisionSession } from './session';
export {
  type SimulatedDevice,
  type SimulationOptions,
  type SimulationReport,
  simulatedIdentity,
  simulateDevices,
} from './simulate';
