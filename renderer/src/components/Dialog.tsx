import { type ReactNode, useEffect, useId, useRef } from 'react';
import { ErrorNote } from './ErrorNote';

export interface DialogProps {
  title: string;
  onClose(): void;
  children: ReactNode;
  /** Omit to show the dialog while it is mounted; pass to keep it mounted and toggle it. */
  open?: boolean;
  testId?: string;
  wide?: boolean;
}

/**
 * A modal dialog (native <dialog>): focus moves inside (to `[data-autofocus]` when present) and stays
 * there, Escape and the × button call `onClose`.
 */
export function Dialog({ title, onClose, children, open = true, testId, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) {
      el.showModal();
      // showModal focuses the first focusable element (the × button); prefer the marked field or the body.
      const first =
        el.querySelector<HTMLElement>('[data-autofocus]') ??
        el.querySelector<HTMLElement>('.ui-dialog-body :is(input, select, textarea, button)');
      first?.focus();
    }
    if (!open && el.open) el.close();
  }, [open]);
  useEffect(
    () => () => {
      if (ref.current?.open) ref.current.close();
    },
    [],
  );
  return (
    <dialog
      ref={ref}
      className={`ui-dialog${wide ? ' wide' : ''}`}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        closeRef.current();
      }}
    >
      {open ? (
        <>
          <header className="ui-dialog-head">
            <h2 id={titleId}>{title}</h2>
            <button
              type="button"
              className="ui-dialog-close"
              aria-label="Close"
              onClick={() => closeRef.current()}
            >
              ×
            </button>
          </header>
          <div className="ui-dialog-body">{children}</div>
        </>
      ) : null}
    </dialog>
  );
}

export interface ConfirmDialogProps {
  open?: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  /** The server's answer when the action failed, shown in place. */
  error?: string;
  busy?: boolean;
  /** Styles the confirm button as destructive (default true). */
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

/** Asks before a destructive or far-reaching action; shows the server's answer in place. */
export function ConfirmDialog({
  open = true,
  title,
  message,
  confirmLabel,
  error,
  busy,
  danger = true,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  return (
    <Dialog open={open} title={title} onClose={onCancel} testId="confirm-dialog">
      <div className="ui-dialog-message">{message}</div>
      <ErrorNote message={error} />
      <div className="ui-actions ui-actions-end">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className={`primary${danger ? ' danger' : ''}`}
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
