import type { OnboardingMode } from '../../preload/contract/onboarding';

/** What an agent may use: its account's tenant name, its client id and the registered applications. */
export interface AgentScope {
  mode: OnboardingMode;
  tenant: string;
  clientId: string;
  applications: readonly string[];
}

/** `true`, or the rule that was broken (for the refusal and the log). */
export type TopicCheck = true | string;

const EU2_EVENTS = 'messages/events';

function eu1Check(scope: AgentScope, topic: string, direction: 'i' | 'o'): TopicCheck {
  const levels = topic.split('/');
  const shape = `tc/${scope.tenant}/${scope.clientId}/${direction}/<app>_<version>/<topic>`;
  if (levels.length < 6 || levels[0] !== 'tc') return `eu1 topics are ${shape}`;
  if (levels[1] !== scope.tenant) return `eu1: tenant level must be "${scope.tenant}"`;
  if (levels[2] !== scope.clientId) return `eu1: client id level must be "${scope.clientId}"`;
  if (levels[3] !== direction) {
    return direction === 'o' ? 'eu1: agents publish only on "o"' : 'eu1: agents subscribe only on "i"';
  }
  if (!scope.applications.includes(levels[4]!)) {
    return `eu1: application "${levels[4]}" is not registered on the account (${scope.applications.join(', ') || 'none'})`;
  }
  if (levels.slice(5).join('/') === '') return `eu1 topics are ${shape}`;
  return true;
}

/** Publish rules: eu1 `tc/<tenant>/<clientId>/o/<app>_<version>/…`, eu2 `devices/<clientId>/messages/events/…`. */
export function checkPublish(scope: AgentScope, topic: string): TopicCheck {
  if (scope.mode === 'eu1') return eu1Check(scope, topic, 'o');
  if (scope.mode === 'eu2') {
    const base = `devices/${scope.clientId}/${EU2_EVENTS}/`;
    return topic.startsWith(base) ? true : `eu2: agents publish only on ${base}<propertyBag>`;
  }
  return true;
}

/** Subscribe rules: eu1 `tc/<tenant>/<clientId>/i/<app>_<version>/…`, eu2 `devices/<clientId>/messages/devicebound/#`. */
export function checkSubscribe(scope: AgentScope, filter: string): TopicCheck {
  if (scope.mode === 'eu1') return eu1Check(scope, filter, 'i');
  if (scope.mode === 'eu2') {
    const allowed = eu2DeviceboundFilter(scope.clientId);
    return filter === allowed ? true : `eu2: agents subscribe only to ${allowed}`;
  }
  return true;
}

export function eu2DeviceboundFilter(clientId: string): string {
  return `devices/${clientId}/messages/devicebound/#`;
}

/** The property bag of an eu2 event topic (`devices/<id>/messages/events/a=1&b=2`), or null for other topics. */
export function eventProperties(clientId: string, topic: string): Record<string, string> | null {
  const base = `devices/${clientId}/${EU2_EVENTS}/`;
  if (!topic.startsWith(base)) return null;
  return parsePropertyBag(topic.slice(base.length));
}

/** URL-encoded `key=value&key2=value2` (Azure IoT Hub's property bag); undecodable parts are kept as sent. */
export function parsePropertyBag(bag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of bag.replace(/\/$/, '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    out[decode(key)] = decode(value);
    if (Object.keys(out).length >= 32) break;
  }
  return out;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
