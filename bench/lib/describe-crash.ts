/** The error line of a crashed broker's stderr (Node prints the stack, then its version). */
export function describeCrash(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const errorLine = lines.find((l) => /Error|FATAL|Abort|Killed/i.test(l));
  return (errorLine ?? lines.at(-1) ?? '').trim().slice(0, 300);
}
