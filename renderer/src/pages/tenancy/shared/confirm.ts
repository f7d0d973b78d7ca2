import { ApiCallError } from '../../../api/api-call-error';

/** Whether the server refused with CONFLICT and asks to repeat the call with `confirm: true`. */
export function needsConfirm(error: unknown): boolean {
  return (
    error instanceof ApiCallError &&
    error.code === 'CONFLICT' &&
    (error.details as { requiresConfirm?: boolean } | undefined)?.requiresConfirm === true
  );
}

/** The server's CONFLICT explanation, phrased for a confirmation dialog (no API wording, no code). */
export function confirmText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/;\s*repeat with confirm to proceed\.?$/, '.');
}
