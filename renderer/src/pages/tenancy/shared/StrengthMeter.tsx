export interface Strength {
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  bits: number;
}

/** A rough entropy estimate: length × log2(character pool), minus penalties for repeats and sequences. */
export function passwordStrength(password: string): Strength {
  if (!password) return { score: 0, label: 'empty', bits: 0 };
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/[0-9]/.test(password)) pool += 10;
  if (/[^A-Za-z0-9]/.test(password)) pool += 33;
  const unique = new Set(password).size;
  const effectiveLength = Math.min(password.length, unique * 2);
  let bits = effectiveLength * Math.log2(Math.max(pool, 2));
  if (/^(?:password|12345|qwerty|letmein|admin)/i.test(password)) bits = Math.min(bits, 10);
  const score = bits < 28 ? 0 : bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  const label = ['very weak', 'weak', 'fair', 'strong', 'very strong'][score]!;
  return { score: score as Strength['score'], label, bits: Math.round(bits) };
}

export function StrengthMeter({ password }: { password: string }) {
  const s = passwordStrength(password);
  return (
    <div className="tn-strength" data-testid="password-strength" data-score={s.score}>
      <div className="tn-strength-bar" aria-hidden="true">
        {[0, 1, 2, 3].map((i) => (
          <span
            key={i}
            className={i < s.score || (s.score === 0 && i === 0 && password) ? `on s${s.score}` : ''}
          />
        ))}
      </div>
      <span className="muted">
        {password ? `${s.label} (~${s.bits} bits)` : 'At least 8 characters; longer beats clever.'}
      </span>
    </div>
  );
}
