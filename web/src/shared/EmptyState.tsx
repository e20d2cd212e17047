import type { ReactNode } from 'react';

/** An honest empty state: what is missing, and (optionally) why. */
export function EmptyState({ title, note }: { title: string; note?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {note ? <p className="empty-note">{note}</p> : null}
    </div>
  );
}
