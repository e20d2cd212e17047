import { z } from 'zod';
import { principalOf } from '../../platform/http/principal.ts';
import type { Api } from '../../platform/http/server.ts';
import type { LiveEvent, LiveFeed } from './sensing.live.ts';

/** Options of the live route. */
export interface LiveRouteOptions {
  feed: LiveFeed;
  /** Comment line sent this often to keep proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
}

/**
 * `GET /api/v1/live`: a Server-Sent Events stream of `reading` (latest values, at most one per
 * device per second) and `alert` (raised / acknowledged / cleared) events in the caller's
 * jurisdiction. Authenticated like every API call (Authorization header).
 */
export function registerLiveRoutes(app: Api, options: LiveRouteOptions): void {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  app.get(
    '/api/v1/live',
    {
      schema: {
        tags: ['sensing'],
        summary: 'Live readings and alerts in your jurisdiction (text/event-stream)',
        description:
          'Events: `reading` {deviceId, type, observedAt, values, jurisdictionPath}, at most one per device per second; ' +
          '`alert` {transition: raised|acknowledged|cleared, alert}. A `: heartbeat` comment every 15 s.',
        response: { 200: z.string().describe('text/event-stream') },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');
      const send = (e: LiveEvent) => {
        res.write(`event: ${e.kind}\ndata: ${JSON.stringify(e.data)}\n\n`);
      };
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
