import type { ReactNode } from 'react';

/** A page's title with its tools (pickers, filters, buttons) on the same line. */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="ui-page-header">
      <h1>{title}</h1>
      <div className="ui-header-tools">{children}</div>
    </div>
  );
}
