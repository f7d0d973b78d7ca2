export { type DeviceHello, GatewayClient } from './gateway-client';
export { MAX_LINE_BYTES, PROTOCOL_VERSION } from './frames';
export { openPort, SerialLink, SerialLinkError } from './link';
export { PortDiscovery, type PortChange, type SerialPortInfo, PortWatcher } from './ports';
export { type GatewayFaults, type GatewayOptions, SimulatedGateway } from './simulator/gateway';
export { CONSOLE_MAX_ENTRIES, type ConsoleEntry, SerialConsole } from './console';
