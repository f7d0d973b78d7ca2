import type { ReactNode } from 'react';
import { useFieldIds } from './Field';

export interface CheckboxFieldProps {
  label: ReactNode;
  checked: boolean;
  onChange(checked: boolean): void;
  error?: string;
  hint?: ReactNode;
  testId?: string;
  disabled?: boolean;
}

/** A checkbox with its label to the right, the error beside it and an optional hint. */
export function CheckboxField({
  label,
  checked,
  onChange,
  error,
  hint,
  testId,
  disabled,
}: CheckboxFieldProps) {
  const { id, control } = useFieldIds(error, hint);
  return (
    <div className={`ui-check${error ? ' invalid' : ''}`}>
      <input
        {...control}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        data-testid={testId}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
      {error ? (
        <span id={`${id}-error`} className="ui-field-error" role="alert">
          {error}
        </span>
      ) : null}
      {hint ? (
        <div id={`${id}-hint`} className="ui-field-hint muted">
          {hint}
        </div>
      ) : null}
    </div>
  );
}
