import { useEffect, useState } from 'react';
import type { ExplorerMessage } from '../../../../preload/contract/explorer';
import { useConnection } from '../../state/connection';
import { ConnectionsBar } from './ConnectionsBar';
import { useConnections } from './connections-store';
import { MessagePanel } from './MessagePanel';
import { PublishPanel } from './PublishPanel';
import { RetainedPanel } from './RetainedPanel';
import { TopicTree } from './TopicTree';
import { treeModel, useTree } from './tree-store';
import './explorer.css';
import './message-panel.css';

type Tab = 'messages' | 'publish' | 'retained';

/** The live topic explorer: connections, topic tree, messages, publishing and retained messages. */
export function ExplorerPage() {
  const connectionId = useConnections((s) => s.selectedId);
  const [tab, setTab] = useState<Tab>('messages');
  const [republish, setRepublish] = useState<ExplorerMessage>();

  // (Re)open the view when the connection changes, and after the link to the core comes back
  // (a restarted core has forgotten the view).
  const linkUp = useConnection((s) => s.status === 'open');
  useEffect(() => {
    if (!linkUp) return;
    void treeModel.start(connectionId, useTree.getState().filter);
    return () => {
      void treeModel.stop();
    };
  }, [connectionId, linkUp]);

  return (
    <div className="page explorer-page" data-testid="explorer-page">
      <ConnectionsBar />
      <div className="explorer-layout">
        <TopicTree />
        <div className="explorer-side">
          <div className="side-tabs" role="tablist" aria-label="Topic tools">
            {(
              [
                ['messages', 'Messages'],
                ['publish', 'Publish'],
                ['retained', 'Retained'],
              ] as const
            ).map(([id, label]) => (
              <button
                type="button"
                role="tab"
                key={id}
                aria-selected={tab === id}
                onClick={() => setTab(id)}
                data-testid={`tab-${id}`}
              >
                {label}
              </button>
            ))}
          </div>
          {tab === 'messages' ? (
            <MessagePanel
              onRepublish={(m) => {
                setRepublish(m);
              }}
            />
          ) : null}
          {tab === 'publish' ? <PublishPanel from={republish} /> : null}
          {tab === 'retained' ? <RetainedPanel /> : null}
        </div>
      </div>
    </div>
  );
}
