/** Why a string is not a valid MQTT topic filter, or undefined when it is. */
export function topicFilterIssue(filter: string): string | undefined {
  if (filter.length === 0) return 'Enter a topic filter (# for everything).';
  if (filter.includes('\u0000')) return 'A topic filter cannot contain a null character.';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1))
      return '# must be a whole level and the last one (e.g. sensors/#).';
    if (level.includes('+') && level !== '+') return '+ must be a whole level (e.g. sensors/+/temp).';
  }
  return undefined;
}
