import type { ReactNode } from 'react';
import { FieldErrorText, FieldHint, useFieldIds } from './Field';

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
      <FieldErrorText id={id} error={error} />
      <FieldHint id={id} hint={hint} />
    </div>
  );
}
