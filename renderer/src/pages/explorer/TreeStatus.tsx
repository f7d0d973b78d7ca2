import { errorMessage } from '../../api/api-call-error';
import { api } from '../../api/client';
import { Sparkline } from '../../components';
import { formatRate } from '../../format';
import { treeModel } from './tree-store';

/** Totals and rate of the tree, with pause/resume and "forget tree". */
export function TreeStatus({
  totals,
  rateHistory,
  paused,
  pendingTopics,
  pendingUpdates,
  connectionId,
  onError,
}: {
  totals: { topics: number; messages: number; rate: number };
  rateHistory: number[];
  paused: boolean;
  pendingTopics: number;
  pendingUpdates: number;
  connectionId: string;
  onError(message: string): void;
}) {
  return (
    <div className="tree-status">
      <span data-testid="tree-totals">
        {totals.topics.toLocaleString()} {totals.topics === 1 ? 'topic' : 'topics'} ·{' '}
        {totals.messages.toLocaleString()} {totals.messages === 1 ? 'message' : 'messages'} ·{' '}
        {formatRate(totals.rate)}
      </span>
      <Sparkline values={rateHistory} width={90} height={18} label="Message rate" />
      <button
        type="button"
        onClick={() => treeModel.setPaused(!paused)}
        aria-pressed={paused}
        data-testid="tree-pause"
      >
        {paused ? 'Resume' : 'Pause'}
      </button>
      <button
        type="button"
        title="Forget the topics seen so far on this connection (stored history stays)"
        onClick={async () => {
          if (!window.confirm('Forget the topic tree of this connection? Stored history stays.')) return;
          try {
            await api().call('explorer.tree.clear', { connectionId });
            await treeModel.resync();
          } catch (err) {
            onError(errorMessage(err));
          }
        }}
      >
        Forget tree
      </button>
      {paused ? (
        <span className="paused-note" data-testid="tree-paused">
          paused — {pendingTopics.toLocaleString()} updates pending
          {pendingUpdates > pendingTopics ? ` (${pendingUpdates.toLocaleString()} changes)` : ''}
        </span>
      ) : null}
    </div>
  );
}
