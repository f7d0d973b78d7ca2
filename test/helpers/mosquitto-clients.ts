/** Parses `mqtt 127.0.0.1:1234` style entries from the ready line / readyDetails. */
export function listenerPort(details: string[] | string, kind: string): number {
  const text = Array.isArray(details) ? details.join(', ') : details;
  const match = new RegExp(`(?:^|[(, ])${kind} [^ ,)]*:(\\d+)`).exec(text);
  if (!match) throw new Error(`no ${kind} listener in "${text}"`);
  return Number(match[1]);
}
