import type { InputHTMLAttributes, TextareaHTMLAttributes } from 'react';
import { type FieldBaseProps, FieldFrame, useFieldIds } from './Field';

export interface TextFieldProps extends FieldBaseProps {
  value: string;
  onChange(value: string): void;
  type?: 'text' | 'password' | 'email' | 'url' | 'search' | 'datetime-local';
  placeholder?: string;
  /** Rows of a multi-line text area; omit for a single-line input. */
  rows?: number;
  autoFocus?: boolean;
  /** Any further attributes for the input (maxLength, autoComplete, spellCheck…). */
  inputProps?: InputHTMLAttributes<HTMLInputElement> & TextareaHTMLAttributes<HTMLTextAreaElement>;
}

/** A labelled text input (or text area) with its error beside it. */
export function TextField(props: TextFieldProps) {
  const {
    testId,
    disabled,
    value,
    onChange,
    type = 'text',
    placeholder,
    rows,
    autoFocus,
    inputProps,
  } = props;
  const { id, control } = useFieldIds(props.error, props.hint);
  const common = {
    ...inputProps,
    ...control,
    value,
    placeholder,
    disabled,
    'data-testid': testId,
    'data-autofocus': autoFocus ? true : undefined,
  };
  return (
    <FieldFrame id={id} {...props}>
      {rows ? (
        <textarea {...common} rows={rows} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type={type} onChange={(e) => onChange(e.target.value)} />
      )}
    </FieldFrame>
  );
}
