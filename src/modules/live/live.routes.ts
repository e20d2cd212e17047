import { z } from 'zod';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import type { LiveEvent, LiveFeed } from './live.feed.ts';

/** Options of the live route. */
export interface LiveRouteOptions {
  feed: LiveFeed;
  /** Comment line sent this often to keep proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
}

/** How long an EventSource-style client waits before reconnecting (the SSE `retry:` field). */
const RETRY_MS = 2000;

/**
 * `GET /api/v1/live`: a Server-Sent Events stream of `reading` (latest values, at most one per
 * device per second), `alert` (raised / acknowledged / cleared) and `event` (event-centre
 * changes) in the caller's jurisdiction. Authenticated like every API call (Authorization header).
 * Alert and event messages carry ids; a client that reconnects with `Last-Event-ID` (header, or
 * `lastEventId` in the query) first gets what it missed when this process still has it. Then
 * `ready` {resumed} (id: the newest) says whether that was possible; if not, the client reloads.
 * Never compressed: each message is written and flushed as it happens.
 */
export function registerLiveRoutes(app: Api, options: LiveRouteOptions): void {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  app.get(
    '/api/v1/live',
    {
      config: { access: 'authenticated' },
      compress: false,
      schema: {
        tags: ['sensing'],
        summary: 'Live readings, alerts and event changes in your jurisdiction (text/event-stream)',
        description:
          'Events: `reading` {deviceId, type, observedAt, values, jurisdictionPath}, at most one ' +
          'per device per second; `alert` {transition: raised|acknowledged|cleared, alert}; `event` {change: created|' +
          'merged|status_changed|closed|reopened|rated|task_created|task_assigned|task_status_changed|task_escalated, ' +
          'eventId, taskId, status, category, jurisdictionPath, occurredAt}. Alert and event messages have an `id`: ' +
          'reconnect with `Last-Event-ID` to receive what was missed, then `ready` {resumed} says whether that was ' +
          'possible (false: reload your lists; also sent on a first connection). A `: heartbeat` comment every 15 s.',
        headers: z.object({ 'last-event-id': z.string().max(200).optional() }),
        querystring: z.object({
          lastEventId: z
            .string()
            .max(200)
            .optional()
            .describe('Last-Event-ID for clients that cannot set headers'),
        }),
        response: { 200: z.string().describe('text/event-stream') },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const lastEventId = request.headers['last-event-id'] ?? request.query.lastEventId;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: ${RETRY_MS}\n: connected\n\n`);
      const send = (e: LiveEvent, id?: string) => {
        res.write(`event: ${e.kind}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
      };
      // Replay, `ready` and listen in one tick: nothing pushed in between is lost or doubled.
      const backlog: [LiveEvent, string | undefined][] = [];
      const resumed = lastEventId
        ? options.feed.replay(principal, lastEventId, (e, id) => backlog.push([e, id]))
        : false;
      for (const [e, id] of backlog) send(e, id);
      res.write(`event: ready\nid: ${options.feed.lastId}\ndata: ${JSON.stringify({ resumed })}\n\n`);
      const unlisten = options.feed.listen(principal, send);
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
      const close = () => {
        clearInterval(heartbeat);
        unlisten();
      };
      request.raw.once('close', close);
      res.once('close', close);
      res.once('error', close);
    },
  );
}
