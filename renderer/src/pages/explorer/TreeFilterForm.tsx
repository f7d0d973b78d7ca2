import { treeModel } from './tree-store';

/** The topic filter that prunes the tree on the server side. */
export function TreeFilterForm({
  draft,
  onDraft,
  problem,
  active,
}: {
  draft: string;
  onDraft(value: string): void;
  problem: string | undefined;
  /** The filter in effect ('' for none). */
  active: string;
}) {
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem) void treeModel.setFilter(draft);
      }}
    >
      <input
        value={draft}
        onChange={(e) => onDraft(e.target.value)}
        placeholder="Topic filter, e.g. plant/+/temp/#"
        aria-label="Topic filter"
        aria-invalid={problem ? true : undefined}
        data-testid="tree-filter"
      />
      <button type="submit" disabled={!!problem}>
        Filter
      </button>
      {active ? (
        <button type="button" onClick={() => void treeModel.setFilter('')}>
          Clear
        </button>
      ) : null}
    </form>
  );
}
