/** Pure helpers for drilling through the jurisdiction tree (city → district → street). */

/** The codes along a path, from the city down: '50/500103/500103003' → ['50', '500103', '500103003']. */
export function pathCodes(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** Whether a node (by its path) lies at or below the scope node (by its path). */
export function isWithin(path: string, scopePath: string): boolean {
  return path === scopePath || path.startsWith(`${scopePath}/`);
}

/** The node in focus from the URL (`?at=CODE`), or the user's own node. */
export function focusFromSearch(search: string, scopeCode: string): string {
  const at = new URLSearchParams(search).get('at');
  return at && /^[0-9A-Za-z_-]{1,40}$/.test(at) ? at : scopeCode;
}

/** The URL (on the cockpit's path) that focuses a node; the user's own node is the bare path. */
export function focusUrl(code: string, scopeCode: string, pathname = '/'): string {
  return code === scopeCode ? pathname : `${pathname}?at=${encodeURIComponent(code)}`;
}

/** Teams (by jurisdiction path) inside a node. */
export function teamsWithin<T extends { jurisdictionPath: string }>(teams: readonly T[], path: string): T[] {
  return teams.filter((t) => isWithin(t.jurisdictionPath, path));
}

/** Counts of items per key, most frequent first (for charts). */
export function countBy<T, K extends string>(items: readonly T[], key: (item: T) => K): [K, number][] {
  const counts = new Map<K, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
