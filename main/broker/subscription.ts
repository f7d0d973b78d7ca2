import type { Session } from './session';
import type { QoS } from './types';

export interface Subscription {
  session: Session;
  /** Internal filter without the share part, e.g. `$a/acme/sensors/#`. */
  filter: string;
  /** Internal key as the session stores it, e.g. `$share/g/$a/acme/sensors/#`. */
  key: string;
  group: string | undefined;
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: 0 | 1 | 2;
  identifier: number | undefined;
}

/** Members of one `$share/<name>/<filter>` group; messages go to one member in turn. */
export interface SharedGroup {
  name: string;
  filter: string;
  members: Subscription[];
  next: number;
}

/** All of one session's subscriptions that match a topic; delivered as one copy. */
export interface MatchTarget {
  session: Session;
  subs: Subscription[];
  /** True when one plain subscription matched (the common case: no per-message merging). */
  simple: boolean;
}

export interface MatchResult {
  targets: MatchTarget[];
  groups: SharedGroup[];
}
