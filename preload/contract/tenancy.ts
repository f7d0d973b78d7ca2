import type { EventSpec, MethodSpec } from './define';

// Operator-API methods and events of the tenancy capability.
export const tenancyMethods = {} satisfies Record<string, MethodSpec>;

export const tenancyEvents = {} satisfies Record<string, EventSpec>;
