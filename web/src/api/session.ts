/** The signed-in user's token, kept in localStorage and shared by the three faces. */
const KEY = 'citybrain.session';

type Listener = () => void;
const listeners = new Set<Listener>();

interface Stored {
  token: string;
  expiresAt: string;
}

function read(): Stored | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Stored | null;
    if (!stored?.token || Date.parse(stored.expiresAt) <= Date.now()) return undefined;
    return stored;
  } catch {
    return undefined;
  }
}

/** Session store with a subscribe function for React's useSyncExternalStore. */
export const session = {
  token(): string | undefined {
    return read()?.token;
  },
  set(token: string, expiresAt: string): void {
    localStorage.setItem(KEY, JSON.stringify({ token, expiresAt }));
    for (const l of listeners) l();
  },
  clear(): void {
    if (localStorage.getItem(KEY) === null) return;
    localStorage.removeItem(KEY);
    for (const l of listeners) l();
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    const onStorage = (e: StorageEvent) => e.key === KEY && listener();
    window.addEventListener('storage', onStorage);
    return () => {
      listeners.delete(listener);
      window.removeEventListener('storage', onStorage);
    };
  },
};
