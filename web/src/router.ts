import { useSyncExternalStore } from 'react';

/** The three faces served at one URL. */
export type Face = 'cockpit' | 'citizen' | 'field';

/** Which face a path belongs to: /citizen…, /field…, everything else is the cockpit. */
export function faceOf(pathname: string): Face {
  if (pathname === '/citizen' || pathname.startsWith('/citizen/')) return 'citizen';
  if (pathname === '/field' || pathname.startsWith('/field/')) return 'field';
  return 'cockpit';
}

const subscribe = (listener: () => void) => {
  window.addEventListener('popstate', listener);
  return () => window.removeEventListener('popstate', listener);
};

/** The current URL's path and search, re-rendering on navigation. */
export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, () => location.pathname + location.search);
  const url = new URL(href, location.origin);
  return { pathname: url.pathname, search: url.search };
}

/** Client-side navigation (pushes history and notifies useLocation). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** The cockpit's page of one response plan. */
export function planPath(id: string): string {
  return `/plans/${encodeURIComponent(id)}`;
}

/** The plan id of a `/plans/:id` path, if it is one. */
export function planIdOf(pathname: string): string | undefined {
  const m = /^\/plans\/([^/]+)\/?$/.exec(pathname);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}
