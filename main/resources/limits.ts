/** Bounds on what one account's devices and apps can make Fieldbench hold. */
export interface ResourceLimits {
  /** Largest accepted payload or request body, in bytes. */
  maxPayloadBytes: number;
  /** Largest JSON value of one property, in bytes. */
  maxValueBytes: number;
  /** History rows kept per property (oldest dropped first). */
  historyPerProperty: number;
  /** Location rows kept per Thng. */
  locationsPerThng: number;
  /** Actions kept per account. */
  actionsPerAccount: number;
  /** Entities (Thngs, products, collections, ...) per account. */
  entitiesPerAccount: number;
  /** Properties per Thng or product. */
  propertiesPerOwner: number;
  /** Largest `perPage` of a list or history query. */
  maxPerPage: number;
  /** Keep alive cap (seconds) for MQTT clients logged in with an API key. */
  maxKeepAliveSeconds: number;
  /** Native WebSocket connections per listener. */
  maxNativeSockets: number;
}

export const DEFAULT_RESOURCE_LIMITS: Readonly<ResourceLimits> = {
  maxPayloadBytes: 64 * 1024,
  maxValueBytes: 16 * 1024,
  historyPerProperty: 1000,
  locationsPerThng: 1000,
  actionsPerAccount: 10_000,
  entitiesPerAccount: 10_000,
  propertiesPerOwner: 200,
  maxPerPage: 100,
  maxKeepAliveSeconds: 120,
  maxNativeSockets: 5000,
};
