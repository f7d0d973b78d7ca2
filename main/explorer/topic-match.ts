/** MQTT topic-filter matching on pre-split levels (`+` one level, `#` this level and below). */
export function matchLevels(filter: readonly string[], topic: readonly string[]): boolean {
  for (let i = 0; i < filter.length; i++) {
    const f = filter[i];
    if (f === '#') return true;
    const t = topic[i];
    if (t === undefined) return false;
    if (f !== '+' && f !== t) return false;
  }
  return filter.length === topic.length;
}

/** True when some topic below (or at) `prefix` could match `filter`; used to prune tree branches. */
export function prefixMayMatch(filter: readonly string[], prefix: readonly string[]): boolean {
  for (let i = 0; i < prefix.length; i++) {
    const f = filter[i];
    if (f === undefined) return false;
    if (f === '#') return true;
    if (f !== '+' && f !== prefix[i]) return false;
  }
  return true;
}

export function topicMatches(filter: string, topic: string): boolean {
  return matchLevels(filter.split('/'), topic.split('/'));
}

const ACCOUNT_PREFIX = '$a/';

/** Splits an internal topic into its account (for `$a/<account>/...`) and the topic that account's clients see. */
export function splitAccount(topic: string): { account?: string; displayTopic: string } {
  if (!topic.startsWith(ACCOUNT_PREFIX)) return { displayTopic: topic };
  const end = topic.indexOf('/', ACCOUNT_PREFIX.length);
  if (end < 0) return { displayTopic: topic };
  return { account: topic.slice(ACCOUNT_PREFIX.length, end), displayTopic: topic.slice(end + 1) };
}

export function accountPrefix(account: string | undefined): string {
  return account ? `${ACCOUNT_PREFIX}${account}/` : '';
}
