import type { ReactNode } from 'react';

/** What a list or panel says while it has nothing to show, optionally with the action that fills it. */
export function EmptyState({
  title,
  children,
  action,
  testId,
}: {
  title?: string;
  children?: ReactNode;
  action?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="ui-empty" data-testid={testId}>
      {title ? <div className="ui-empty-title">{title}</div> : null}
      {children ? <div className="muted">{children}</div> : null}
      {action ? <div className="ui-empty-action">{action}</div> : null}
    </div>
  );
}
