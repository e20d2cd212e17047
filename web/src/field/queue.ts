import { session } from '../api/session.ts';

/**
 * The field app's offline action queue. Every action (accept, arrive, photo, complete,
 * unable, return) is written to localStorage first and sent in order; a network failure
 * keeps it for the next try (when the browser comes back online, every 15 s, or on demand),
 * an answer from the server (done or refused) removes it. Photos are kept as base64,
 * shrunk to at most 1600 px JPEG when bigger than 1 MiB so the queue fits the storage.
 */
export type FieldAction = 'accept' | 'en-route' | 'arrive' | 'evidence' | 'complete' | 'unable' | 'return';

export interface Queued {
  id: string;
  taskId: string;
  action: FieldAction;
  body?: Record<string, unknown>;
  photo?: { mime: string; base64: string };
  queuedAt: string;
  tries: number;
}

export interface Refused {
  action: FieldAction;
  taskId: string;
  message: string;
}

const KEY = 'citybrain.field.queue';
const listeners = new Set<() => void>();
let snapshot: Queued[] = read();
let refused: Refused[] = [];
let flushing: Promise<void> | undefined;

function read(): Queued[] {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) ?? '[]') as Queued[];
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}
function write(list: Queued[]): void {
  snapshot = list;
  localStorage.setItem(KEY, JSON.stringify(list));
  for (const l of listeners) l();
}

export const queue = {
  items: (): Queued[] => snapshot,
  refused: (): Refused[] => refused,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Adds an action and tries to send the queue at once. */
  async add(item: Omit<Queued, 'id' | 'queuedAt' | 'tries'>): Promise<void> {
    write([
      ...snapshot,
      {
        ...item,
        id: `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
        queuedAt: new Date().toISOString(),
        tries: 0,
      },
    ]);
    await queue.flush();
  },
  dismissRefused(): void {
    refused = [];
    for (const l of listeners) l();
  },
  /** Sends queued actions in order; stops at the first network failure. */
  flush(): Promise<void> {
    flushing ??= (async () => {
      // Yield first: the finally below must run after `flushing` is assigned.
      await Promise.resolve();
      try {
        while (snapshot.length) {
          const [next] = snapshot;
          if (!next) break;
          let res: Response;
          try {
            res = await send(next);
          } catch {
            write(snapshot.map((q) => (q.id === next.id ? { ...q, tries: q.tries + 1 } : q)));
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
          write(snapshot.filter((q) => q.id !== next.id));
          for (const l of sentListeners) l(next);
        }
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
const sentListeners = new Set<(q: Queued) => void>();

async function send(q: Queued): Promise<Response> {
  const url = `/api/v1/field/tasks/${encodeURIComponent(q.taskId)}/${q.action}`;
  const headers: Record<string, string> = { authorization: `Bearer ${session.token() ?? ''}` };
  if (q.photo) {
    const bytes = Uint8Array.from(atob(q.photo.base64), (c) => c.charCodeAt(0));
    return fetch(url, { method: 'POST', headers: { ...headers, 'content-type': q.photo.mime }, body: bytes });
  }
  return fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(q.body ?? {}),
  });
}

/** A photo as base64 for the queue; larger than 1 MiB → at most 1600 px JPEG. */
export async function photoForQueue(file: Blob): Promise<{ mime: string; base64: string }> {
  let blob = file;
  if (file.size > 1024 * 1024) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    blob = await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('cannot encode'))), 'image/jpeg', 0.82),
    );
  }
  const buffer = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < buffer.length; i += 0x8000)
    binary += String.fromCharCode(...buffer.subarray(i, i + 0x8000));
  return { mime: blob.type || 'application/octet-stream', base64: btoa(binary) };
}

/** Retries when the browser comes back online and every 15 s. */
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
