import {
  type ReactNode,
  type UIEvent,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  /** Renders row `index`; positioned absolutely by the list. */
  renderRow(index: number, style: React.CSSProperties): ReactNode;
  /** Called with the visible index range after scrolling or resizing. */
  onRange?(first: number, last: number): void;
  /** When set, scrolls so that this row is visible. */
  scrollToIndex?: number;
  overscan?: number;
  className?: string;
  testId?: string;
  /** Extra props for the scrolling element (role, aria-*, key handlers). */
  containerProps?: React.HTMLAttributes<HTMLDivElement>;
  /** Keep the view pinned to the bottom while the user has not scrolled up (logs). */
  stickToBottom?: boolean;
  /**
   * Size the box to its rows, up to this many pixels (a table inside a page). Without it the list fills
   * the height its container gives it (a pane).
   */
  maxHeight?: number;
}

/**
 * A fixed-row-height virtual list: only the rows inside the viewport (plus a small overscan) exist in
 * the DOM, so 100,000 rows cost as much as 40. Rows are positioned absolutely inside a spacer.
 */
export function VirtualList({
  count,
  rowHeight,
  renderRow,
  onRange,
  scrollToIndex,
  overscan = 8,
  className,
  testId,
  containerProps,
  stickToBottom,
  maxHeight,
}: VirtualListProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const fallbackHeight = maxHeight ?? 400;
  const [height, setHeight] = useState(fallbackHeight);
  const atBottom = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setHeight(el.clientHeight || fallbackHeight);
    const observer = new ResizeObserver(() => setHeight(el.clientHeight || fallbackHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, [fallbackHeight]);

  const onScroll = useCallback(
    (e: UIEvent<HTMLDivElement>) => {
      const el = e.currentTarget;
      setScrollTop(el.scrollTop);
      atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
    },
    [rowHeight],
  );

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || scrollToIndex === undefined || scrollToIndex < 0) return;
    const top = scrollToIndex * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight)
      el.scrollTop = top + rowHeight - el.clientHeight;
  }, [scrollToIndex, rowHeight]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (stickToBottom && el && atBottom.current) el.scrollTop = el.scrollHeight;
  });

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((scrollTop + height) / rowHeight) + overscan);

  useEffect(() => {
    onRange?.(first, last);
  }, [first, last, onRange]);

  const rows: ReactNode[] = [];
  for (let i = first; i <= last; i++) {
    rows.push(
      renderRow(i, { position: 'absolute', top: i * rowHeight, height: rowHeight, left: 0, right: 0 }),
    );
  }
  return (
    <div
      {...containerProps}
      ref={ref}
      className={`${maxHeight === undefined ? 'vlist' : 'vlist vlist-fit'} ${className ?? ''}`}
      style={
        maxHeight === undefined
          ? undefined
          : { maxHeight, height: Math.min(maxHeight, count * rowHeight + 2) }
      }
      onScroll={onScroll}
      data-testid={testId}
    >
      <div className="vlist-inner" style={{ height: count * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
