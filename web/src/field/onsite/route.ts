// The open visit is `?visit=ID` on /field: a URL, so reload (offline too: the service worker serves
// the shell for any /field navigation) and the browser's back button work.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const current = (): string | null => new URLSearchParams(window.location.search).get('visit');

/** The id of the visit open on site, or null for the lists. */
export const useOpenVisit = (): string | null => useSyncExternalStore(subscribe, current);

/** Whether the open visit was opened from the list in this page (so back returns to it). */
let openedHere = false;

/** Opens a visit (a new history entry). */
export function openVisit(id: string): void {
  openedHere = true;
  window.history.pushState(null, '', `/field?visit=${encodeURIComponent(id)}`);
  notify();
  window.scrollTo(0, 0);
}

/** Back to the lists: history back when the visit was opened here, else replace. */
export function closeVisit(): void {
  if (openedHere) {
    openedHere = false;
    window.history.back();
  } else {
    window.history.replaceState(null, '', '/field');
    notify();
  }
}
