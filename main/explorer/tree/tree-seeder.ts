import { setImmediate as nextTurn } from 'node:timers/promises';
import type { StoredTopic } from '../history/stored-topics';
import { makePreview, PREVIEW_BYTES } from '../preview';
import type { SeededTopic, TopicTree } from './topic-tree';

export interface SeedSource {
  read(after: number, limit: number): StoredTopic[];
}

export interface SeedResult {
  topics: number;
  messages: number;
  /** Longest synchronous stretch (read + insert of one page), ms. */
  longestStepMs: number;
  cancelled: boolean;
  /** Stopped early because the tree reached its topic limit. */
  full: boolean;
}

export interface SeedOptions {
  /** Topics read per step at first; adapted so that a step takes about `stepBudgetMs`. */
  pageSize?: number;
  stepBudgetMs?: number;
}

const MIN_PAGE = 100;
const MAX_PAGE = 2000;

/**
 * Fills a topic tree from stored history page by page, yielding to the event loop between pages
 * so live traffic and API calls keep flowing while hundreds of thousands of topics load.
 */
export class TreeSeeding {
  readonly done: Promise<SeedResult>;
  private cancelled = false;

  constructor(tree: TopicTree, source: SeedSource, options: SeedOptions = {}) {
    this.done = this.run(tree, source, options);
  }

  cancel(): void {
    this.cancelled = true;
  }

  private async run(tree: TopicTree, source: SeedSource, options: SeedOptions): Promise<SeedResult> {
    const budget = options.stepBudgetMs ?? 20;
    let pageSize = options.pageSize ?? 250;
    const result: SeedResult = { topics: 0, messages: 0, longestStepMs: 0, cancelled: false, full: false };
    let after = 0;
    for (;;) {
      // Yield first: the caller's turn (and whatever it queued) finishes before the first page.
      await nextTurn();
      if (this.cancelled) {
        result.cancelled = true;
        return result;
      }
      const started = performance.now();
      const rows = source.read(after, pageSize);
      for (const row of rows) {
        after = row.id;
        if (!tree.seed(toSeeded(row))) {
          result.full = true;
          break;
        }
        if (row.messages > 0) {
          result.topics++;
          result.messages += row.messages;
        }
      }
      const took = performance.now() - started;
      result.longestStepMs = Math.max(result.longestStepMs, took);
      if (result.full || rows.length < pageSize) return result;
      // Topics with long histories cost more to summarize: keep each step near the budget.
      if (took > budget) pageSize = Math.max(MIN_PAGE, Math.floor(pageSize / 2));
      else if (took < budget / 2) pageSize = Math.min(MAX_PAGE, pageSize * 2);
    }
  }
}

function toSeeded(row: StoredTopic): SeededTopic {
  // An empty payload may come back from substr() as text rather than a blob.
  const head = Buffer.isBuffer(row.head) ? row.head : Buffer.from(row.head ?? '');
  return {
    topic: row.topic,
    messages: row.messages,
    lastTime: row.lastTime,
    lastSize: row.lastSize,
    preview: makePreview(head, PREVIEW_BYTES),
    retained: row.retainedSize !== null && row.retainedSize > 0,
  };
}
