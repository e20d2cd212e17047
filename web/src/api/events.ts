import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { ApiError, api, unwrap } from './client.ts';
import { useToken } from './queries.ts';
import { session } from './session.ts';
import type { GetOk } from './types.ts';

/** One event of the list (GET /api/v1/events). */
export type EventItem = GetOk<'/api/v1/events'>['items'][number];
/** One event with its tasks. */
export type EventDetail = GetOk<'/api/v1/events/{id}'>;
/** One dispatch task. */
export type Task = EventDetail['tasks'][number];
/** One stored photo's record. */
export type Evidence = GetOk<'/api/v1/tasks/{id}/evidence'>['items'][number];
/** Governance KPIs. */
export type Kpis = GetOk<'/api/v1/kpis'>;
/** Algorithm decisions behind a subject. */
export type Why = GetOk<'/api/v1/why'>;

/**
 * Event changes arrive on the live stream (`useLiveStream`), which refetches what changed at once;
 * the event list, an open event and plans are refetched this often only as a safety net (a
 * stream that broke without the client noticing). Was a 4 s poll.
 */
export const EVENT_SAFETY_REFETCH_MS = 60_000;
/** Photo records are not on the stream: polled this often while a task is shown. */
const EVIDENCE_POLL_MS = 8000;

/** The time ranges an operator can look back over; the feed and the KPIs share one. */
export const RANGES = ['24h', '7d', '30d', '90d'] as const;
/** A time range. */
export type Range = (typeof RANGES)[number];
const RANGE_MS: Record<Range, number> = {
  '24h': 24 * 3_600_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '90d': 90 * 86_400_000,
};
/** The start of a range ending now, as the API takes it. */
export function rangeFrom(range: Range, now = Date.now()): string {
  return new Date(now - RANGE_MS[range]).toISOString();
}

/** What the operator narrows the feed to (the server filters: GET /api/v1/events). */
export interface EventFilters {
  status?: EventItem['status'];
  priority?: EventItem['priority'];
  source?: EventItem['source'];
  category?: string;
  q?: string;
  range: Range;
  /** The area viewed (its jurisdiction path), inside the user's scope. */
  within?: string;
}
/** The query of GET /api/v1/events for filters (the range's start taken now). */
export function eventQuery(f: EventFilters, limit: number) {
  const { range, ...rest } = f;
  const set = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== ''));
  return { ...set, from: rangeFrom(range), limit } as { limit: number; from: string } & Omit<
    EventFilters,
    'range'
  >;
}

/**
 * Recent events in the signed-in user's jurisdiction (the server scopes), newest first; with
 * filters, only those the operator asked for (the map keeps the unfiltered list).
 */
export function useEvents(filters?: EventFilters) {
  const token = useToken();
  return useQuery({
    queryKey: ['events', token, filters ?? null],
    enabled: Boolean(token),
    refetchInterval: EVENT_SAFETY_REFETCH_MS,
    placeholderData: (previous) => previous,
    queryFn: async () => {
      const query = filters ? eventQuery(filters, 200) : { limit: 200 };
      const { items } = unwrap(await api.GET('/api/v1/events', { params: { query } }));
      return [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },
  });
}

/** One event with its tasks, refreshed by the live stream while open. */
export function useEvent(id: string | undefined) {
  return useQuery({
    queryKey: ['event', id],
    enabled: Boolean(id),
    refetchInterval: EVENT_SAFETY_REFETCH_MS,
    queryFn: async () => unwrap(await api.GET('/api/v1/events/{id}', { params: { path: { id: id! } } })),
  });
}

/** Photo records of a task. */
export function useEvidence(taskId: string) {
  return useQuery({
    queryKey: ['evidence', taskId],
    refetchInterval: EVIDENCE_POLL_MS,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/tasks/{id}/evidence', { params: { path: { id: taskId } } })).items,
  });
}

/** The algorithm decisions behind a subject ("why"). */
export function useWhy(subjectType: string, subjectId: string | undefined) {
  return useQuery({
    queryKey: ['why', subjectType, subjectId],
    enabled: Boolean(subjectId),
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/why', { params: { query: { subjectType, subjectId: subjectId! } } })),
  });
}

/** KPIs of the area viewed (inside the user's jurisdiction) over a range. */
export function useKpis(enabled: boolean, range: Range, within?: string) {
  const token = useToken();
  return useQuery({
    queryKey: ['kpis', token, range, within ?? null],
    enabled: Boolean(token) && enabled,
    refetchInterval: 30_000,
    placeholderData: (previous) => previous,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/kpis', {
          params: { query: { from: rangeFrom(range), ...(within ? { within } : {}) } },
        }),
      ),
  });
}

/** Centre actions on an event and its tasks; every success refreshes events and KPIs. */
export function useEventActions(eventId: string) {
  const client = useQueryClient();
  const done = () => {
    void client.invalidateQueries({ queryKey: ['event', eventId] });
    void client.invalidateQueries({ queryKey: ['events'] });
    void client.invalidateQueries({ queryKey: ['kpis'] });
  };
  return {
    verify: useMutation({
      mutationFn: async (body: { approve: boolean; note: string }) =>
        unwrap(await api.POST('/api/v1/events/{id}/verify', { params: { path: { id: eventId } }, body })),
      onSuccess: done,
    }),
    categorise: useMutation({
      mutationFn: async (body: { category: string; reason: string }) =>
        unwrap(await api.POST('/api/v1/events/{id}/categorise', { params: { path: { id: eventId } }, body })),
      onSuccess: done,
    }),
    assign: useMutation({
      mutationFn: async ({ taskId, ...body }: { taskId: string; reason: string; teamId?: string }) =>
        unwrap(await api.POST('/api/v1/tasks/{id}/assign', { params: { path: { id: taskId } }, body })),
      onSuccess: done,
    }),
    cancel: useMutation({
      mutationFn: async ({ taskId, reason }: { taskId: string; reason: string }) =>
        unwrap(
          await api.POST('/api/v1/tasks/{id}/cancel', { params: { path: { id: taskId } }, body: { reason } }),
        ),
      onSuccess: done,
    }),
  };
}

/** One event-centre change as the live stream pushes it (`event: event`). */
export interface LiveEventChange {
  change: string;
  eventId: string;
  taskId: string | null;
  status: string | null;
  category: string | null;
  jurisdictionPath: string;
  occurredAt: string;
}

/** State of the live stream, for the "live" mark of the feed. */
export type LiveState = 'connecting' | 'live' | 'reconnecting';

let liveState: LiveState = 'connecting';
const liveStateListeners = new Set<() => void>();
function setLiveState(next: LiveState): void {
  if (next === liveState) return;
  liveState = next;
  for (const l of liveStateListeners) l();
}

/** Whether the live stream is connected now. */
export function useLiveState(): LiveState {
  return useSyncExternalStore(
    (listener) => {
      liveStateListeners.add(listener);
      return () => liveStateListeners.delete(listener);
    },
    () => liveState,
  );
}

/** Queries an event change makes stale (prefixes). KPIs only for changes that move them. */
function staleAfter(change: LiveEventChange): (readonly unknown[])[] {
  const keys: (readonly unknown[])[] = [['events'], ['event', change.eventId], ['plans'], ['plan']];
  if (['created', 'closed', 'reopened', 'rated', 'status_changed'].includes(change.change))
    keys.push(['kpis']);
  return keys;
}

/** Everything a stream that could not resume may have missed. */
const RELOAD_ALL: (readonly unknown[])[] = [['events'], ['event'], ['plans'], ['plan'], ['alerts'], ['kpis']];

/**
 * Refetches stale queries once per burst: one complaint is several changes within a few ms
 * (created, tasks created, assigned, status changed).
 */
function coalescer(client: QueryClient, delayMs: number) {
  const pending = new Map<string, readonly unknown[]>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    add(keys: (readonly unknown[])[]) {
      for (const k of keys) pending.set(JSON.stringify(k), k);
      timer ??= setTimeout(() => {
        timer = undefined;
        const keys = [...pending.values()];
        pending.clear();
        for (const queryKey of keys) void client.invalidateQueries({ queryKey });
      }, delayMs);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

/** Map layers a device type's readings change (query key prefixes): refetched when one reports. */
const LAYER_OF_TYPE: Record<string, readonly unknown[]> = {
  TrafficFlowObserved: ['traffic-levels'],
  ParkingSpot: ['parking-sites'],
};

/**
 * Refetches a map layer soon after a reading that changes it (`delayMs`, so a batch of readings
 * is one fetch), at most once per `gapMs` while readings keep coming, and never cancels a fetch
 * under way (it waits for it, then fetches again: the running one may predate the reading).
 * Only layers that are on refetch (react-query refetches active queries only).
 */
function layerRefresher(client: QueryClient, delayMs: number, gapMs: number) {
  const pending = new Map<string, readonly unknown[]>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  const fire = () => {
    timer = undefined;
    const keys = [...pending.values()];
    if (keys.some((queryKey) => client.isFetching({ queryKey }) > 0)) {
      timer = setTimeout(fire, 100);
      return;
    }
    pending.clear();
    last = Date.now();
    for (const queryKey of keys) void client.invalidateQueries({ queryKey });
  };
  return {
    add(key: readonly unknown[]) {
      pending.set(JSON.stringify(key), key);
      timer ??= setTimeout(fire, Math.max(delayMs, last + gapMs - Date.now()));
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

/** One parsed Server-Sent Events message. */
interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

/** Splits a chunk of `text/event-stream` into complete messages; returns the incomplete rest. */
function parseSse(buffer: string, onMessage: (m: SseMessage) => void): string {
  let rest = buffer;
  let cut = rest.indexOf('\n\n');
  while (cut >= 0) {
    const block = rest.slice(0, cut);
    rest = rest.slice(cut + 2);
    cut = rest.indexOf('\n\n');
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length || id !== undefined) onMessage({ event, id, data: data.join('\n') });
  }
  return rest;
}

/**
 * Listens to the live stream (SSE over fetch: it needs the Authorization header, which
 * EventSource cannot send). An event change refetches the event list, that event, plans and,
 * when it moves them, the KPIs (once per burst); an alert refreshes alerts and, a moment later,
 * events (alerts become events); a traffic detector's or parking sensor's reading refetches the
 * traffic or parking map layer while it is on (`layerRefresher`). Reconnects with backoff (1 s doubling to 15 s) and sends the
 * last id it saw as `Last-Event-ID`: the server replays what was missed if it still can, and
 * otherwise (`ready` with `resumed: false` after a reconnect) everything is refetched.
 */
export function useLiveStream(onAlert?: () => void) {
  const client = useQueryClient();
  const token = useToken();
  useEffect(() => {
    if (!token) return;
    const abort = new AbortController();
    const refresh = coalescer(client, 150);
    const layers = layerRefresher(client, 100, 1000);
    let stopped = false;
    let lastId: string | undefined;
    let connectedBefore = false;
    let failures = 0;
    const handle = (m: SseMessage) => {
      if (m.id) lastId = m.id;
      if (m.event === 'ready') {
        const { resumed } = JSON.parse(m.data) as { resumed: boolean };
        if (connectedBefore && !resumed) refresh.add(RELOAD_ALL);
        connectedBefore = true;
        failures = 0;
        setLiveState('live');
      } else if (m.event === 'event') {
        refresh.add(staleAfter(JSON.parse(m.data) as LiveEventChange));
      } else if (m.event === 'reading') {
        const layer = LAYER_OF_TYPE[(JSON.parse(m.data) as { type?: string }).type ?? ''];
        if (layer) layers.add(layer);
      } else if (m.event === 'alert') {
        refresh.add([['alerts']]);
        setTimeout(() => refresh.add([['events']]), 500);
        onAlert?.();
      }
    };
    const run = async () => {
      while (!stopped) {
        try {
          const res = await fetch('/api/v1/live', {
            headers: {
              authorization: `Bearer ${session.token() ?? ''}`,
              accept: 'text/event-stream',
              ...(lastId ? { 'last-event-id': lastId } : {}),
            },
            signal: abort.signal,
          });
          if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer = parseSse(buffer + value, handle);
          }
        } catch {
          if (stopped) return;
        }
        setLiveState('reconnecting');
        failures += 1;
        await new Promise((r) => setTimeout(r, Math.min(15_000, 1000 * 2 ** (failures - 1))));
      }
    };
    void run();
    return () => {
      stopped = true;
      abort.abort();
      refresh.stop();
      layers.stop();
      setLiveState('connecting');
    };
  }, [token, client, onAlert]);
}

/** The live stream under its former name (the cockpit calls it). */
export const useLiveAlerts = useLiveStream;

/** One response plan with its tasks and progress (GET /api/v1/plans/{id}), refreshed by the stream. */
export function usePlan(id: string) {
  return useQuery({
    queryKey: ['plan', id],
    refetchInterval: EVENT_SAFETY_REFETCH_MS,
    // Not found (or outside the user's jurisdiction) stays so: no retries.
    retry: (count, error) => !(error instanceof ApiError && error.status === 404) && count < 2,
    queryFn: async () => unwrap(await api.GET('/api/v1/plans/{id}', { params: { path: { id } } })),
  });
}

/** Open (not closed, not merged) event counts per jurisdiction code, every level of each event's chain. */
export function openEventsByArea(events: readonly EventItem[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.status === 'closed' || e.status === 'merged') continue;
    for (const c of e.chain) counts.set(c.code, (counts.get(c.code) ?? 0) + 1);
  }
  return counts;
}

/** Whether an event still needs work. */
export function isOpen(status: EventItem['status']): boolean {
  return status !== 'closed' && status !== 'merged';
}
