import { useEffect, useRef, useState } from 'react';
import { type LogEntry, logLevels } from '../../../../preload/contract/system';
import { useApiEvent, useQuery } from '../../api/hooks';
import { formatTime } from '../../format';

const MAX_LINES = 1000;
const rank = (level: LogEntry['level']) => logLevels.indexOf(level);

/** The live tail of the core's log, filterable by minimum level. */
export function LogTail() {
  const [minLevel, setMinLevel] = useState<LogEntry['level']>('info');
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [follow, setFollow] = useState(true);
  const initial = useQuery('system.logs', { minLevel: 'trace', limit: MAX_LINES });
  const listRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (initial.data) setEntries(initial.data.entries);
  }, [initial.data]);

  useApiEvent('system.log', (entry) => {
    setEntries((current) => {
      if (current.length > 0 && current[current.length - 1]!.seq >= entry.seq) return current;
      const next =
        current.length >= MAX_LINES ? current.slice(current.length - MAX_LINES + 1) : current.slice();
      next.push(entry);
      return next;
    });
  });

  const visible = entries.filter((e) => rank(e.level) >= rank(minLevel));

  useEffect(() => {
    if (follow && listRef.current) listRef.current.scrollTop = listRef.current.scrollHeight;
  });

  return (
    <section className="panel log-tail">
      <header className="panel-header">
        <h2>Log</h2>
        <label>
          Level{' '}
          <select
            aria-label="Minimum log level"
            value={minLevel}
            onChange={(e) => setMinLevel(e.target.value as LogEntry['level'])}
          >
            {logLevels.map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <span className="muted">{visible.length} lines</span>
      </header>
      <div className="log-lines" ref={listRef} data-testid="log-lines">
        {visible.map((e) => (
          <div key={e.seq} className={`log-line level-${e.level}`}>
            <span className="log-time">{formatTime(e.time)}</span>
            <span className="log-level">{e.level}</span>
            {e.module ? <span className="log-module">{e.module}</span> : null}
            <span className="log-msg">{e.msg}</span>
            {e.fields ? <span className="log-fields">{JSON.stringify(e.fields)}</span> : null}
          </div>
        ))}
      </div>
    </section>
  );
}
