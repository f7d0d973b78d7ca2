import type { EventSpec, MethodSpec } from './define';

// Operator-API methods and events of the explorer capability.
export const explorerMethods = {} satisfies Record<string, MethodSpec>;

export const explorerEvents = {} satisfies Record<string, EventSpec>;
