/** A PEM text area that also takes a file. */
export function PemField({
  label,
  value,
  onChange,
  problem,
  testId,
  placeholder,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  problem?: string;
  testId: string;
  placeholder?: string;
}) {
  return (
    <label className="field pem-field">
      <span>{label}</span>
      <textarea
        rows={3}
        className="mono"
        value={value}
        placeholder={placeholder ?? '-----BEGIN CERTIFICATE-----'}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
        aria-invalid={problem ? true : undefined}
        spellCheck={false}
      />
      <input
        type="file"
        accept=".pem,.crt,.cer,.key,text/plain"
        aria-label={`${label} from file`}
        data-testid={`${testId}-file`}
        onChange={async (e) => {
          const file = e.target.files?.[0];
          if (file) onChange(await file.text());
        }}
      />
      {problem ? <span className="field-problem">{problem}</span> : null}
    </label>
  );
}
