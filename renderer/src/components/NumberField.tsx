import { type FieldBaseProps, FieldFrame, useFieldIds } from './Field';

export interface NumberFieldProps extends FieldBaseProps {
  /** undefined while the input is empty (or not a number). */
  value: number | undefined;
  onChange(value: number | undefined): void;
  min?: number;
  max?: number;
  step?: number;
  placeholder?: string;
  autoFocus?: boolean;
}

/** A labelled number input with its error beside it; an empty input is `undefined`. */
export function NumberField(props: NumberFieldProps) {
  const { testId, disabled, value, onChange, min, max, step, placeholder, autoFocus } = props;
  const { id, control } = useFieldIds(props.error, props.hint);
  return (
    <FieldFrame id={id} {...props}>
      <input
        {...control}
        type="number"
        value={value === undefined || Number.isNaN(value) ? '' : value}
        min={min}
        max={max}
        step={step}
        placeholder={placeholder}
        disabled={disabled}
        data-testid={testId}
        data-autofocus={autoFocus ? true : undefined}
        onChange={(e) => {
          const n = e.target.valueAsNumber;
          onChange(e.target.value === '' || Number.isNaN(n) ? undefined : n);
        }}
      />
    </FieldFrame>
  );
}
