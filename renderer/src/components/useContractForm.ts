import { useCallback, useState } from 'react';
import type { z } from 'zod';

type Path = readonly PropertyKey[];

export interface ContractFormOptions<Draft, Schema extends z.ZodType> {
  /** The contract's request schema (e.g. `methods['listeners.create'].request`) or a part of it. */
  schema: Schema;
  /** The form's starting values, as the inputs hold them (text for numbers is fine). */
  initial: Draft | (() => Draft);
  /** Turns the draft into what the schema parses; defaults to the draft itself. */
  toRequest?(draft: Draft): unknown;
  /** Names the draft field an issue belongs to; defaults to the issue path joined with dots. */
  fieldOf?(path: Path): string;
  /** A friendlier message per field, used instead of the schema's for any issue of that field. */
  messages?: Record<string, string>;
}

export interface ContractForm<Draft, Parsed> {
  draft: Draft;
  set<K extends keyof Draft>(key: K, value: Draft[K]): void;
  /** Replaces the whole draft and forgets what was touched. */
  reset(draft: Draft): void;
  /** The message to show beside a field: after it was changed or a submit was tried. */
  error(field: string): string | undefined;
  /** Every current issue, field → first message. */
  errors: Record<string, string>;
  valid: boolean;
  /** Value, onChange and error for a field component: `<TextField label="Host" {...form.bind('host')} />`. */
  bind<K extends keyof Draft & string>(
    key: K,
  ): { value: Draft[K]; onChange(value: Draft[K]): void; error: string | undefined };
  /** Marks every field as shown; returns the parsed request, or undefined when a field is wrong. */
  submit(): Parsed | undefined;
  submitted: boolean;
}

/** An issue phrased for a person: "required" and "a whole number" instead of zod's type wording. */
export function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'invalid_type') {
    if (input === undefined || input === '') return 'required';
    if (issue.expected === 'number') return 'a whole number is required';
  }
  return issue.message;
}

/** The value an issue's path points at (zod does not report inputs by default). */
function valueAt(request: unknown, path: Path): unknown {
  let value = request;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

/** Field → first message for a draft parsed by a contract schema. */
export function contractErrors(
  schema: z.ZodType,
  request: unknown,
  fieldOf: (path: Path) => string = (path) => path.map(String).join('.'),
  messages: Record<string, string> = {},
): { errors: Record<string, string>; parsed?: unknown } {
  const result = schema.safeParse(request);
  if (result.success) return { errors: {}, parsed: result.data };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = fieldOf(issue.path);
    errors[field] ??= messages[field] ?? issueMessage(issue, valueAt(request, issue.path));
  }
  return { errors };
}

/**
 * Form state validated by the contract's own zod schema as the user types, so the page and the
 * server agree on what is valid. Errors show beside a field once it was changed, and beside every
 * field after a submit.
 */
export function useContractForm<Draft extends object, Schema extends z.ZodType>({
  schema,
  initial,
  toRequest,
  fieldOf,
  messages,
}: ContractFormOptions<Draft, Schema>): ContractForm<Draft, z.output<Schema>> {
  const [draft, setDraft] = useState<Draft>(initial);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const { errors, parsed } = contractErrors(schema, toRequest ? toRequest(draft) : draft, fieldOf, messages);
  const valid = Object.keys(errors).length === 0;

  const set = useCallback(<K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setTouched((t) => ({ ...t, [String(key)]: true }));
  }, []);
  const reset = useCallback((next: Draft) => {
    setDraft(next);
    setTouched({});
    setSubmitted(false);
  }, []);
  const error = (field: string) => (submitted || touched[field] ? errors[field] : undefined);
  return {
    draft,
    set,
    reset,
    error,
    errors,
    valid,
    bind: (key) => ({ value: draft[key], onChange: (value) => set(key, value), error: error(key) }),
    submit: () => {
      setSubmitted(true);
      return valid ? (parsed as z.output<Schema>) : undefined;
    },
    submitted,
  };
}
