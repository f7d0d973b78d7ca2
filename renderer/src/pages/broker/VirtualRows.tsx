import { type ReactNode, useLayoutEffect, useRef, useState } from 'react';

/**
 * Fixed-height rows in a scrolling box: only the visible rows (plus overscan) are in the DOM, so a
 * list of 20,000 clients scrolls like one of 20. Rows are positioned absolutely inside a spacer.
 */
export function VirtualRows({
  count,
  rowHeight,
  maxHeight,
  renderRow,
  testId,
}: {
  count: number;
  rowHeight: number;
  maxHeight: number;
  renderRow(index: number, style: React.CSSProperties): ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(maxHeight);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight || maxHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, [maxHeight]);
  const overscan = 6;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i <= last; i++) {
    rows.push(
      renderRow(i, { position: 'absolute', top: i * rowHeight, height: rowHeight, left: 0, right: 0 }),
    );
  }
  return (
    <div
      ref={ref}
      className="brk-vrows"
      style={{ maxHeight, height: Math.min(maxHeight, count * rowHeight + 2) }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid={testId}
    >
      <div style={{ position: 'relative', height: count * rowHeight }}>{rows}</div>
    </div>
  );
}
