import { type ReactNode, useId } from 'react';

export interface FieldBaseProps {
  label: ReactNode;
  /** The validation message, shown beside the control and tied to it with aria-describedby. */
  error?: string;
  /** A short explanation under the control. */
  hint?: ReactNode;
  /** data-testid of the control itself. */
  testId?: string;
  disabled?: boolean;
  className?: string;
}

/** Ids and ARIA attributes that bind a control to its label, hint and error. */
export function useFieldIds(error: string | undefined, hint: ReactNode) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return {
    id,
    control: {
      id,
      'aria-invalid': error ? true : undefined,
      'aria-describedby': describedBy || undefined,
    },
  };
}

/** Label, control, error beside the control, hint below: the frame every field component shares. */
export function FieldFrame({
  id,
  label,
  error,
  hint,
  className,
  children,
}: {
  id: string;
  label: ReactNode;
  error?: string;
  hint?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={`ui-field${error ? ' invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id} className="ui-field-label">
        {label}
      </label>
      <div className="ui-field-control">
        {children}
        <FieldErrorText id={id} error={error} />
      </div>
      <FieldHint id={id} hint={hint} />
    </div>
  );
}

/** The error beside a control (id `<id>-error`, announced as an alert). */
export function FieldErrorText({ id, error }: { id: string; error?: string }) {
  return error ? (
    <span id={`${id}-error`} className="ui-field-error" role="alert">
      {error}
    </span>
  ) : null;
}

/** The hint under a control (id `<id>-hint`). */
export function FieldHint({ id, hint }: { id: string; hint?: ReactNode }) {
  return hint ? (
    <div id={`${id}-hint`} className="ui-field-hint muted">
      {hint}
    </div>
  ) : null;
}

/** A field's validation message on its own, for controls the field components do not cover. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return (
    <div id={id} className="ui-field-error" aria-live="polite">
      {message ?? ''}
    </div>
  );
}
