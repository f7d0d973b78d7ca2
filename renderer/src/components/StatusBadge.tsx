import type { ReactNode } from 'react';

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'neutral';

const TONE_OF_STATUS: Record<string, Tone> = {
  enabled: 'ok',
  connected: 'ok',
  active: 'ok',
  running: 'ok',
  listening: 'ok',
  valid: 'ok',
  online: 'ok',
  done: 'ok',
  disabled: 'warn',
  disconnected: 'warn',
  blocked: 'warn',
  stopped: 'warn',
  pending: 'warn',
  expiring: 'warn',
  expired: 'bad',
  missing: 'bad',
  revoked: 'bad',
  locked: 'bad',
  failed: 'bad',
  error: 'bad',
};

/** The tone a status word is shown in (unknown words are neutral). */
export function toneOf(status: string): Tone {
  return TONE_OF_STATUS[status] ?? 'neutral';
}

/**
 * A small coloured pill for a state. `status` picks the tone from common words (enabled, connected,
 * expired…) and is the text unless `children` says otherwise; `tone` overrides the choice.
 */
export function StatusBadge({
  status,
  tone,
  title,
  children,
  testId,
}: {
  status: string;
  tone?: Tone;
  title?: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <span
      className={`ui-badge ui-tone-${tone ?? toneOf(status)}`}
      title={title}
      data-testid={testId}
      data-status={status}
    >
      {children ?? status}
    </span>
  );
}
