import type { ReactNode } from 'react';
import { type FieldBaseProps, FieldFrame, useFieldIds } from './Field';

export type SelectOption<V extends string> = V | { value: V; label: ReactNode; disabled?: boolean };

export interface SelectFieldProps<V extends string> extends FieldBaseProps {
  value: V;
  onChange(value: V): void;
  options: readonly SelectOption<V>[];
}

/** A labelled select with its error beside it; options are values or `{ value, label }`. */
export function SelectField<V extends string>(props: SelectFieldProps<V>) {
  const { testId, disabled, value, onChange, options } = props;
  const { id, control } = useFieldIds(props.error, props.hint);
  return (
    <FieldFrame id={id} {...props}>
      <select
        {...control}
        value={value}
        disabled={disabled}
        data-testid={testId}
        onChange={(e) => onChange(e.target.value as V)}
      >
        {options.map((o) => {
          const option = typeof o === 'string' ? { value: o, label: o, disabled: false } : o;
          return (
            <option key={option.value} value={option.value} disabled={option.disabled}>
              {option.label}
            </option>
          );
        })}
      </select>
    </FieldFrame>
  );
}
