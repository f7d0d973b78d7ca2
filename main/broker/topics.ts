/** Topic name / filter validation and single-filter matching (MQTT 5 section 4.7). */

/** Account namespaces live under `$a/<account>/`; wildcards treat the level after it as a topic root. */
export const NAMESPACE_ROOT = '$a/';
const SHARE_PREFIX = '$share/';

const PLUS = 43;
const HASH = 35;
const SLASH = 47;
const NUL = 0;
const REPLACEMENT = 0xfffd;

/**
 * Checks a PUBLISH topic name; returns false for wildcards, NUL, undecodable UTF-8 (seen as U+FFFD
 * after decoding), empty names and names beyond the limits. One pass, no allocation.
 */
export function isValidTopicName(topic: string, maxLength: number, maxLevels: number): boolean {
  const len = topic.length;
  if (len === 0 || len > maxLength) return false;
  let levels = 1;
  for (let i = 0; i < len; i++) {
    const c = topic.charCodeAt(i);
    if (c === SLASH) {
      if (++levels > maxLevels) return false;
    } else if (c === PLUS || c === HASH || c === NUL || c === REPLACEMENT) return false;
  }
  return true;
}

/** Checks a subscription filter (without any `$share/group/` part). */
export function isValidTopicFilter(filter: string, maxLength: number, maxLevels: number): boolean {
  const len = filter.length;
  if (len === 0 || len > maxLength) return false;
  let levels = 1;
  for (let i = 0; i < len; i++) {
    const c = filter.charCodeAt(i);
    if (c === SLASH) {
      if (++levels > maxLevels) return false;
    } else if (c === PLUS) {
      // `+` must occupy a whole level
      if (
        (i > 0 && filter.charCodeAt(i - 1) !== SLASH) ||
        (i + 1 < len && filter.charCodeAt(i + 1) !== SLASH)
      ) {
        return false;
      }
    } else if (c === HASH) {
      // `#` must be last and occupy a whole level
      if (i !== len - 1 || (i > 0 && filter.charCodeAt(i - 1) !== SLASH)) return false;
    } else if (c === NUL || c === REPLACEMENT) return false;
  }
  return true;
}

export interface ParsedFilter {
  /** Share group name, or undefined for a normal subscription. */
  group?: string;
  filter: string;
}

/** Splits `$share/group/filter`; returns null when the share syntax is broken. */
export function parseSubscriptionFilter(raw: string): ParsedFilter | null {
  if (!raw.startsWith(SHARE_PREFIX)) return { filter: raw };
  const slash = raw.indexOf('/', SHARE_PREFIX.length);
  if (slash < 0) return null;
  const group = raw.slice(SHARE_PREFIX.length, slash);
  const filter = raw.slice(slash + 1);
  if (group.length === 0 || group.includes('+') || group.includes('#') || filter.length === 0) return null;
  return { group, filter };
}

/** Index of the level that counts as the first one for `$` rules (after an account namespace). */
export function rootLevelIndex(topic: string): number {
  return topic.startsWith(NAMESPACE_ROOT) ? 2 : 0;
}

/** Whether one filter matches one topic; used for retained messages and interceptors. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  const root = rootLevelIndex(topic);
  for (let i = 0; i < f.length; i++) {
    const fl = f[i]!;
    if (fl === '#') {
      return !(i <= root && t[i] !== undefined && isDollarAt(t, i, root));
    }
    const tl = t[i];
    if (tl === undefined) return false;
    if (fl === '+') {
      if (isDollarAt(t, i, root)) return false;
      continue;
    }
    if (fl !== tl) return false;
  }
  return f.length === t.length;
}

function isDollarAt(levels: string[], i: number, root: number): boolean {
  return (i === 0 || i === root) && levels[i]!.startsWith('$');
}

/** True when `filter` contains no wildcard. */
export function isLiteralFilter(filter: string): boolean {
  return !filter.includes('+') && !filter.includes('#');
}
