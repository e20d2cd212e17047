import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, unwrap } from './client.ts';
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

/** Events are not on the live stream (readings and alerts only): the feed polls this often. */
export const EVENT_POLL_MS = 4000;

/** Recent events in the signed-in user's jurisdiction (the server scopes), newest first. */
export function useEvents() {
  const token = useToken();
  return useQuery({
    queryKey: ['events', token],
    enabled: Boolean(token),
    refetchInterval: EVENT_POLL_MS,
    queryFn: async () => {
      const { items } = unwrap(await api.GET('/api/v1/events', { params: { query: { limit: 200 } } }));
      return [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },
  });
}

/** One event with its tasks, refreshed while open. */
export function useEvent(id: string | undefined) {
  return useQuery({
    queryKey: ['event', id],
    enabled: Boolean(id),
    refetchInterval: EVENT_POLL_MS,
    queryFn: async () => unwrap(await api.GET('/api/v1/events/{id}', { params: { path: { id: id! } } })),
  });
}

/** Photo records of a task. */
export function useEvidence(taskId: string) {
  return useQuery({
    queryKey: ['evidence', taskId],
    refetchInterval: EVENT_POLL_MS * 2,
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

/** KPIs of the user's jurisdiction. */
export function useKpis(enabled: boolean) {
  const token = useToken();
  return useQuery({
    queryKey: ['kpis', token],
    enabled: Boolean(token) && enabled,
    refetchInterval: 30_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/kpis')),
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

/**
 * Listens to the live stream (SSE over fetch: it needs the Authorization header, which
 * EventSource cannot send). Alerts become events within a moment, so an alert refreshes the
 * event list at once instead of waiting for the next poll. Reconnects after 5 s.
 */
export function useLiveAlerts(onAlert?: () => void) {
  const client = useQueryClient();
  const token = useToken();
  useEffect(() => {
    if (!token) return;
    const abort = new AbortController();
    let stopped = false;
    const run = async () => {
      while (!stopped) {
        try {
          const res = await fetch('/api/v1/live', {
            headers: { authorization: `Bearer ${session.token() ?? ''}`, accept: 'text/event-stream' },
            signal: abort.signal,
          });
          if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let cut = buffer.indexOf('\n\n');
            while (cut >= 0) {
              const block = buffer.slice(0, cut);
              buffer = buffer.slice(cut + 2);
              if (/^event: alert$/m.test(block)) {
                setTimeout(() => void client.invalidateQueries({ queryKey: ['events'] }), 500);
                void client.invalidateQueries({ queryKey: ['alerts'] });
                onAlert?.();
              }
              cut = buffer.indexOf('\n\n');
            }
          }
        } catch {
          if (stopped) return;
        }
        await new Promise((r) => setTimeout(r, 5000));
      }
    };
    void run();
    return () => {
      stopped = true;
      abort.abort();
    };
  }, [token, client, onAlert]);
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
