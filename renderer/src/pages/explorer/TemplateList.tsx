import type { ExplorerTemplate } from '../../../../preload/contract/explorer';

/** Saved publish templates: pick one to fill the form, or delete it. */
export function TemplateList({
  templates,
  onUse,
  onDelete,
}: {
  templates: readonly ExplorerTemplate[];
  onUse(template: ExplorerTemplate): void;
  onDelete(template: ExplorerTemplate): void;
}) {
  return (
    <>
      {templates.length > 0 ? (
        <div className="templates">
          <h3>Templates</h3>
          <ul>
            {templates.map((t) => (
              <li key={t.id}>
                <button type="button" className="link" onClick={() => onUse(t)}>
                  {t.name}
                </button>
                <span className="muted small mono"> {t.topic}</span>{' '}
                <button
                  type="button"
                  className="small"
                  aria-label={`Delete template ${t.name}`}
                  onClick={() => onDelete(t)}
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}
