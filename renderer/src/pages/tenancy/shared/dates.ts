/** Time only for today, date and time otherwise. */
export function formatShort(ms: number | null | undefined, never = '–'): string {
  if (ms === null || ms === undefined) return never;
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString(undefined, { hour12: false })
    : d.toLocaleString(undefined, { hour12: false, dateStyle: 'short', timeStyle: 'short' });
}

export function formatWhen(ms: number | null | undefined, never = 'never'): string {
  if (ms === null || ms === undefined) return never;
  return new Date(ms).toLocaleString(undefined, { hour12: false });
}

/** `datetime-local` input value ↔ epoch milliseconds (local time). */
export function toLocalInput(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): number | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}
