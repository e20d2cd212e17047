import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import { session } from '../api/session.ts';
import { shrinkPhoto } from '../shared/photos.ts';

/**
 * The field app's offline action queue, in IndexedDB (database `citybrain-field`, store
 * `actions`, in the order they were made). Every action (accept, arrive, photo, complete,
 * unable, return) is written there first and sent in order; a network failure keeps it for the
 * next try (when the browser comes back online, every 15 s, or on demand), an answer from the
 * server (done or refused) removes it. Photos are kept as Blobs — no base64, no 5 MB
 * localStorage ceiling, nothing encoded on the main thread — shrunk to at most 1600 px JPEG when
 * bigger than 1 MiB. A queue left by the older localStorage version is moved over once.
 * Tabs take turns sending (Web Locks), so two open tabs never send the same action twice.
 */
export type FieldAction = 'accept' | 'en-route' | 'arrive' | 'evidence' | 'complete' | 'unable' | 'return';

export interface Queued {
  /** Order in the store (IndexedDB key). */
  seq: number;
  id: string;
  taskId: string;
  action: FieldAction;
  body?: Record<string, unknown>;
  photo?: Blob;
  queuedAt: string;
  tries: number;
}

export interface Refused {
  action: FieldAction;
  taskId: string;
  message: string;
}

interface QueueDb extends DBSchema {
  actions: { key: number; value: Omit<Queued, 'seq'> & { seq?: number } };
}

/** The localStorage key of the older queue (base64 photos), migrated once. */
export const LEGACY_KEY = 'citybrain.field.queue';
const DB_NAME = 'citybrain-field';
const STORE = 'actions';

const listeners = new Set<() => void>();
const sentListeners = new Set<(q: Queued) => void>();
let snapshot: Queued[] = [];
let refused: Refused[] = [];
let flushing: Promise<void> | undefined;
let opened: Promise<IDBPDatabase<QueueDb>> | undefined;

function notify(): void {
  for (const l of listeners) l();
}

/** Opens the database (once), moves a legacy localStorage queue over and loads the snapshot. */
function database(): Promise<IDBPDatabase<QueueDb>> {
  opened ??= (async () => {
    const db = await openDB<QueueDb>(DB_NAME, 1, {
      upgrade(d) {
        d.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
      },
    });
    await migrateLegacy(db);
    await reload(db);
    return db;
  })();
  return opened;
}

async function reload(db: IDBPDatabase<QueueDb>): Promise<void> {
  snapshot = (await db.getAll(STORE)) as Queued[];
  notify();
}

/** Moves actions queued by the localStorage version (photos as base64) into IndexedDB, then drops the key. */
async function migrateLegacy(db: IDBPDatabase<QueueDb>): Promise<void> {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(LEGACY_KEY);
  } catch {
    return;
  }
  if (raw === null) return;
  let list: unknown = [];
  try {
    list = JSON.parse(raw);
  } catch {
    // unreadable: nothing to move
  }
  const items = Array.isArray(list) ? list : [];
  const tx = db.transaction(STORE, 'readwrite');
  for (const old of items as {
    id?: string;
    taskId?: string;
    action?: FieldAction;
    body?: Record<string, unknown>;
    photo?: { mime: string; base64: string };
    queuedAt?: string;
    tries?: number;
  }[]) {
    if (!old?.taskId || !old.action) continue;
    const photo = old.photo
      ? new Blob([Uint8Array.from(atob(old.photo.base64), (c) => c.charCodeAt(0))], { type: old.photo.mime })
      : undefined;
    await tx.store.add({
      id: old.id ?? newId(),
      taskId: old.taskId,
      action: old.action,
      ...(old.body ? { body: old.body } : {}),
      ...(photo ? { photo } : {}),
      queuedAt: old.queuedAt ?? new Date().toISOString(),
      tries: old.tries ?? 0,
    });
  }
  await tx.done;
  // Only once the actions are safely in IndexedDB.
  localStorage.removeItem(LEGACY_KEY);
}

function newId(): string {
  return `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs `fn` while holding the queue lock shared by this origin's tabs (when the browser has Web Locks). */
function exclusive(fn: () => Promise<void>): Promise<void> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  return locks ? locks.request('citybrain-field-queue', fn) : fn();
}

export const queue = {
  items: (): Queued[] => snapshot,
  refused: (): Refused[] => refused,
  /** Resolves once the stored queue is loaded (and a legacy one moved over). */
  ready: (): Promise<void> => database().then(() => undefined),
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Stores an action, then tries to send the queue at once. Throws when the device cannot store it. */
  async add(item: Omit<Queued, 'id' | 'queuedAt' | 'tries' | 'seq'>): Promise<void> {
    const db = await database();
    const value = { ...item, id: newId(), queuedAt: new Date().toISOString(), tries: 0 };
    const seq = await db.add(STORE, value);
    snapshot = [...snapshot.filter((q) => q.seq !== seq), { ...value, seq }];
    notify();
    void queue.flush();
  },
  dismissRefused(): void {
    refused = [];
    notify();
  },
  /** Sends queued actions in order; stops at the first network failure. */
  flush(): Promise<void> {
    flushing ??= (async () => {
      // Yield first: the finally below must run after `flushing` is assigned.
      await Promise.resolve();
      try {
        const db = await database();
        await exclusive(async () => {
          // Another tab may have sent some meanwhile.
          await reload(db);
          while (snapshot.length) {
            const [next] = snapshot;
            if (!next) break;
            let res: Response;
            try {
              res = await send(next);
            } catch {
              const tried = { ...next, tries: next.tries + 1 };
              await db.put(STORE, tried);
              snapshot = snapshot.map((q) => (q.seq === next.seq ? tried : q));
              notify();
              return;
            }
            if (res.status === 401) return; // signed out: keep it for after sign-in
            if (!res.ok) {
              const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
              refused = [
                ...refused,
                {
                  action: next.action,
                  taskId: next.taskId,
                  message: body?.error?.message ?? `HTTP ${res.status}`,
                },
              ];
            }
            await db.delete(STORE, next.seq);
            snapshot = snapshot.filter((q) => q.seq !== next.seq);
            notify();
            for (const l of sentListeners) l(next);
          }
        });
      } finally {
        flushing = undefined;
      }
    })();
    return flushing;
  },
  onSent(listener: (q: Queued) => void): () => void {
    sentListeners.add(listener);
    return () => sentListeners.delete(listener);
  },
};

async function send(q: Queued): Promise<Response> {
  const url = `/api/v1/field/tasks/${encodeURIComponent(q.taskId)}/${q.action}`;
  const headers: Record<string, string> = { authorization: `Bearer ${session.token() ?? ''}` };
  if (q.photo) {
    return fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': q.photo.type || 'application/octet-stream' },
      body: q.photo,
    });
  }
  return fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(q.body ?? {}),
  });
}

/** A photo for the queue: as it is up to 1 MiB, else at most 1600 px JPEG (see shrinkPhoto). */
export function photoForQueue(file: Blob): Promise<Blob> {
  return shrinkPhoto(file);
}

/** Loads the stored queue, then retries when the browser comes back online and every 15 s. */
export function startQueue(): () => void {
  const flush = () => void queue.flush();
  window.addEventListener('online', flush);
  const timer = setInterval(flush, 15_000);
  flush();
  return () => {
    window.removeEventListener('online', flush);
    clearInterval(timer);
  };
}
