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

/**
 * Client-side navigation (pushes history and notifies useLocation). `state` is kept with the new
 * history entry (e.g. where the page was opened from, so its close button can go back there).
 */
export function navigate(to: string, options: { replace?: boolean; state?: unknown } = {}): void {
  if (to === location.pathname + location.search) return;
  const state = options.state ?? null;
  if (options.replace) history.replaceState(state, '', to);
  else history.pushState(state, '', to);
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

/** The cockpit's page of one event (over the map). */
export function eventPath(id: string): string {
  return `/events/${encodeURIComponent(id)}`;
}

/** The event id of an `/events/:id` path, if it is one. */
export function eventIdOf(pathname: string): string | undefined {
  const m = /^\/events\/([^/]+)\/?$/.exec(pathname);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

/** History state of an entry pushed from inside the cockpit: its close button may go back. */
export const FROM_COCKPIT = { from: 'cockpit' } as const;

/** Whether the current history entry was pushed by the cockpit itself (so `history.back()` stays in it). */
export function openedFromCockpit(): boolean {
  const state = history.state as { from?: string } | null;
  return state?.from === 'cockpit';
}

/** The cockpit's 15-minute life circle report of one street. */
export function lifeCirclePath(code: string): string {
  return `/lifecircle/${encodeURIComponent(code)}`;
}

/** The street code of a `/lifecircle/:code` path, if it is one. */
export function lifeCircleCodeOf(pathname: string): string | undefined {
  const m = /^\/lifecircle\/([0-9A-Za-z_-]{1,32})\/?$/.exec(pathname);
  return m?.[1];
}

/** The cockpit's traffic index page (city and districts, a day beside another). */
export const TRAFFIC_PATH = '/traffic';

/** The citizen portal's integrated services (一件事一次办): the bundles. */
export const SERVICES_PATH = '/citizen/services';
/** The applicant's applications. */
export const MY_APPLICATIONS_PATH = '/citizen/services/applications';

/** The citizen portal's page of one bundle (its items, form and eligibility). */
export function bundlePath(id: string): string {
  return `${SERVICES_PATH}/bundles/${encodeURIComponent(id)}`;
}

/** The citizen portal's page of one application (confirm and submit a draft; follow its steps). */
export function applicationPath(id: string): string {
  return `${MY_APPLICATIONS_PATH}/${encodeURIComponent(id)}`;
}

/** Which services page a citizen path is, with its id. */
export function servicesPageOf(
  pathname: string,
):
  | { page: 'bundles' }
  | { page: 'bundle'; id: string }
  | { page: 'mine' }
  | { page: 'application'; id: string }
  | undefined {
  const rest = pathname.replace(/\/+$/, '');
  if (rest === SERVICES_PATH) return { page: 'bundles' };
  if (rest === MY_APPLICATIONS_PATH) return { page: 'mine' };
  const m = /^\/citizen\/services\/(bundles|applications)\/([^/]+)$/.exec(rest);
  if (!m?.[2]) return undefined;
  try {
    const id = decodeURIComponent(m[2]);
    return m[1] === 'bundles' ? { page: 'bundle', id } : { page: 'application', id };
  } catch {
    return undefined;
  }
}

/** The cockpit's page of a department's services desk (政务服务窗口). */
export const DESK_PATH = '/desk';
