import { useEffect, useState } from 'react';
import { navGroups as groupOrder, type PageEntry, pages } from './pages/registry';
import { useConnection } from './state/connection';

function currentPageId(): string {
  const id = location.hash.replace(/^#\/?/, '').split('/')[0] ?? '';
  return pages.some((p) => p.id === id) ? id : (pages[0]?.id ?? 'system');
}

function navGroups(): Array<[string, PageEntry[]]> {
  return groupOrder
    .map((group): [string, PageEntry[]] => [group, pages.filter((p) => p.group === group)])
    .filter(([, entries]) => entries.length > 0);
}

function StatusBar() {
  const { status, droppedEvents } = useConnection();
  const label = {
    connecting: 'Connecting…',
    open: 'Connected',
    closed: 'Disconnected — retrying',
    unauthorized: 'Token refused',
  }[status];
  return (
    <footer className={`status-bar status-${status}`} role="status">
      <span className="status-dot" aria-hidden="true" />
      <span data-testid="connection-status">{label}</span>
      {droppedEvents > 0 ? (
        <span className="muted">{droppedEvents} live updates skipped (UI was busy)</span>
      ) : null}
    </footer>
  );
}

/** The application frame: navigation on the left, the selected page on the right, status at the bottom. */
export function App() {
  const [pageId, setPageId] = useState(currentPageId);
  useEffect(() => {
    const onHash = () => setPageId(currentPageId());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const page = pages.find((p) => p.id === pageId) ?? pages[0]!;
  const Page = page.component;
  return (
    <div className="app">
      <nav className="nav" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            F
          </span>
          <span className="brand-text">
            <span className="brand-name">Fieldbench</span>
            <span className="brand-sub">IoT operator workbench</span>
          </span>
        </div>
        {navGroups().map(([group, entries]) => (
          <section key={group} className="nav-group" aria-labelledby={`nav-${group}`}>
            <div className="nav-group-title" id={`nav-${group}`}>
              {group}
            </div>
            <ul>
              {entries.map((p) => (
                <li key={p.id}>
                  <a href={`#/${p.id}`} aria-current={p.id === page.id ? 'page' : undefined}>
                    {p.title}
                  </a>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </nav>
      <main className="content">
        <Page />
      </main>
      <StatusBar />
    </div>
  );
}
