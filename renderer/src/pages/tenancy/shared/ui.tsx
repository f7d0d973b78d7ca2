import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import type { MethodName, RequestOf, ResponseOf } from '../../../../../preload/contract';
import type { Account } from '../../../../../preload/contract/tenancy';
import { ApiCallError, errorMessage } from '../../../api/api-call-error';
import { api } from '../../../api/client';
import { treeOrder, useTenancy } from './store';
import '../tenancy.css';

export type Outcome<T> = { ok: true; data: T } | { ok: false; error: unknown; message: string };

/** Runs a mutation and keeps the raw error, so callers can branch on its code (CONFLICT → confirm). */
export function useMutation() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(
    async <M extends MethodName>(method: M, request: RequestOf<M>): Promise<Outcome<ResponseOf<M>>> => {
      setBusy(true);
      setError(undefined);
      try {
        return { ok: true, data: await api().call(method, request) };
      } catch (err) {
        const message = errorMessage(err);
        setError(message);
        return { ok: false, error: err, message };
      } finally {
        setBusy(false);
      }
    },
    [],
  );
  return { run, busy, error, setError };
}

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

/** Loads the shared account list once per page mount. */
export function useAccounts() {
  const state = useTenancy();
  const { load } = state;
  useEffect(() => {
    void load();
  }, [load]);
  return state;
}

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

export type AccountStatus = 'enabled' | 'disabled' | 'expired' | 'blocked';

export function accountStatus(a: Account, now = Date.now()): AccountStatus {
  if (a.expiresAt !== null && a.expiresAt <= now) return 'expired';
  if (!a.enabled) return 'disabled';
  if (!a.usable) return 'blocked';
  return 'enabled';
}

const STATUS_TITLES: Record<AccountStatus, string> = {
  enabled: 'Devices may connect',
  disabled: 'Disabled: its devices and those of its sub-accounts are refused',
  expired: 'Expired: its devices and those of its sub-accounts are refused',
  blocked: 'Enabled, but an ancestor is disabled or expired, so its devices are refused',
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <span
      className={`tn-badge tn-status-${status}`}
      title={(STATUS_TITLES as Record<string, string>)[status]}
    >
      {label ?? (status === 'blocked' ? 'blocked by ancestor' : status)}
    </span>
  );
}

/** A select of every account, indented by depth; bound to the shared selection. */
export function AccountPicker({ label = 'Account' }: { label?: string }) {
  const { accounts, selectedId, select } = useTenancy();
  const id = useId();
  const ordered = treeOrder(accounts);
  return (
    <div className="tn-picker">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        data-testid="account-picker"
        value={selectedId ?? ''}
        onChange={(e) => select(e.target.value)}
      >
        {ordered.map((a) => (
          <option key={a.id} value={a.id}>
            {`${'\u00a0\u00a0'.repeat(a.depth)}${a.name}`}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A modal dialog (native <dialog>: focus trapped, Escape closes). */
export function Dialog({
  open,
  title,
  onClose,
  children,
  testId,
}: {
  open: boolean;
  title: string;
  onClose(): void;
  children: ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="tn-dialog"
      aria-labelledby={titleId}
      data-testid={testId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      ) : null}
    </dialog>
  );
}

/** Asks before a destructive or far-reaching action; shows the server's answer in place. */
export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  error,
  busy,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  error?: string;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  return (
    <Dialog open={open} title={title} onClose={onCancel} testId="confirm-dialog">
      <div className="tn-dialog-body">{message}</div>
      <ErrorText message={error} />
      <div className="tn-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="primary tn-danger"
          disabled={busy}
          onClick={onConfirm}
          data-testid="confirm-button"
        >
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}

/** Same look as ErrorNote; kept local so dialogs can show errors without pulling page state. */
export function ErrorText({ message, testId }: { message: string | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <div className="error-note" role="alert" data-testid={testId}>
      {message}
    </div>
  );
}

/** A field's validation message, tied to the input by aria-describedby. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return (
    <div id={id} className="tn-field-error" aria-live="polite">
      {message ?? ''}
    </div>
  );
}

export interface Strength {
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  bits: number;
}

/** A rough entropy estimate: length × log2(character pool), minus penalties for repeats and sequences. */
export function passwordStrength(password: string): Strength {
  if (!password) return { score: 0, label: 'empty', bits: 0 };
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/[0-9]/.test(password)) pool += 10;
  if (/[^A-Za-z0-9]/.test(password)) pool += 33;
  const unique = new Set(password).size;
  const effectiveLength = Math.min(password.length, unique * 2);
  let bits = effectiveLength * Math.log2(Math.max(pool, 2));
  if (/^(?:password|12345|qwerty|letmein|admin)/i.test(password)) bits = Math.min(bits, 10);
  const score = bits < 28 ? 0 : bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  const label = ['very weak', 'weak', 'fair', 'strong', 'very strong'][score]!;
  return { score: score as Strength['score'], label, bits: Math.round(bits) };
}

export function StrengthMeter({ password }: { password: string }) {
  const s = passwordStrength(password);
  return (
    <div className="tn-strength" data-testid="password-strength" data-score={s.score}>
      <div className="tn-strength-bar" aria-hidden="true">
        {[0, 1, 2, 3].map((i) => (
          <span
            key={i}
            className={i < s.score || (s.score === 0 && i === 0 && password) ? `on s${s.score}` : ''}
          />
        ))}
      </div>
      <span className="muted">
        {password ? `${s.label} (~${s.bits} bits)` : 'At least 8 characters; longer beats clever.'}
      </span>
    </div>
  );
}

/** A horizontal usage bar for a quota (null = unlimited). */
export function QuotaBar({ used, max, label }: { used: number; max: number | null; label: string }) {
  const ratio = max === null ? 0 : max === 0 ? 1 : Math.min(1, used / max);
  const text = `${used} / ${max === null ? '∞' : max}`;
  return (
    <span className="tn-quota" title={`${label}: ${text}${max === null ? ' (unlimited)' : ''}`}>
      <span className="tn-quota-track" aria-hidden="true">
        <span
          className={`tn-quota-fill${ratio >= 1 ? ' full' : ratio >= 0.8 ? ' high' : ''}`}
          style={{ width: `${Math.round(ratio * 100)}%` }}
        />
      </span>
      <span className="tn-quota-text">{text}</span>
    </span>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="tn-page-header">
      <h1>{title}</h1>
      <div className="tn-header-tools">{children}</div>
    </div>
  );
}
