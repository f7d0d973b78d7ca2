import { type ReactNode, useEffect, useRef } from 'react';

/** A modal <dialog>: focus moves inside and stays there, Escape closes it. */
export function Dialog({
  title,
  onClose,
  children,
  testId,
  wide,
}: {
  title: string;
  onClose(): void;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (!el.open) el.showModal();
    // showModal focuses the first focusable element (the close button); prefer the marked field.
    el.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    const onCancel = (e: Event) => {
      e.preventDefault();
      closeRef.current();
    };
    el.addEventListener('cancel', onCancel);
    return () => {
      el.removeEventListener('cancel', onCancel);
      if (el.open) el.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={`cert-dialog${wide ? ' wide' : ''}`}
      aria-labelledby="cert-dialog-title"
      data-testid={testId}
    >
      <header className="cert-dialog-head">
        <h2 id="cert-dialog-title">{title}</h2>
        <button type="button" className="cert-close" aria-label="Close" onClick={() => closeRef.current()}>
          ×
        </button>
      </header>
      {children}
    </dialog>
  );
}
