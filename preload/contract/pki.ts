import type { EventSpec, MethodSpec } from './define';

// Operator-API methods and events of the pki capability.
export const pkiMethods = {} satisfies Record<string, MethodSpec>;

export const pkiEvents = {} satisfies Record<string, EventSpec>;
