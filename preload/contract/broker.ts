import type { EventSpec, MethodSpec } from './define';

// Operator-API methods and events of the broker capability.
export const brokerMethods = {} satisfies Record<string, MethodSpec>;

export const brokerEvents = {} satisfies Record<string, EventSpec>;
