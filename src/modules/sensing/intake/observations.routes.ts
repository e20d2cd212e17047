import { z } from 'zod';
import { principalOf } from '../../../platform/http/principal.ts';
import type { Api } from '../../../platform/http/server.ts';
import { DeviceIdSchema } from '../devices/devices.schema.ts';
import type { SensingService } from '../sensing.service.ts';
import { DeadLetterQuerySchema, DeadLetterSchema } from './deadletters.repository.ts';
import { batchOf } from './intake.senders.ts';

const tags = ['sensing'];
const iso = z.iso.datetime({ offset: true });

const SeriesQuerySchema = z.object({
  from: z.coerce.date(),
  to: z.coerce.date(),
  rollup: z.enum(['raw', 'hour', 'day']).default('hour'),
  metric: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
});

const PointSchema = z.object({
  deviceId: z.string(),
  metric: z.string(),
  at: iso,
  value: z.number().describe('the reading, or the mean of the bucket'),
  min: z.number().optional(),
  max: z.number().optional(),
  count: z.number().int().optional(),
});

const IngestSummarySchema = z.object({
  received: z.number().int(),
  deadLettered: z.number().int(),
  stored: z.number().int().describe('readings stored now'),
  duplicates: z.number().int().describe('readings already stored (redeliveries)'),
  alertsRaised: z.number().int(),
  alertsCleared: z.number().int(),
});

/** Observation routes: series, latest values, the HTTP batch endpoint, dead letters. */
export function registerObservationRoutes(app: Api, sensing: SensingService): void {
  app.get(
    '/api/v1/devices/:id/observations',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'A device’s readings: raw, or hourly/daily mean, min, max, count',
        params: z.object({ id: DeviceIdSchema }),
        querystring: SeriesQuerySchema,
        response: { 200: z.object({ items: z.array(PointSchema) }) },
      },
    },
    async (request) => {
      const points = await sensing.queries.deviceSeries(
        principalOf(request),
        request.params.id,
        request.query,
      );
      return { items: points.map((p) => ({ ...p, at: p.at.toISOString() })) };
    },
  );
  app.get(
    '/api/v1/areas/:code/observations',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'One metric over the devices of an area (jurisdiction code), hourly or daily',
        params: z.object({ code: z.string().min(1) }),
        querystring: SeriesQuerySchema.extend({
          rollup: z.enum(['hour', 'day']).default('hour'),
          metric: z.string(),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                at: iso,
                value: z.number(),
                min: z.number(),
                max: z.number(),
                count: z.number(),
                devices: z.number(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const rows = await sensing.queries.areaSeries(principalOf(request), request.params.code, request.query);
      return { items: rows.map((r) => ({ ...r, at: r.at.toISOString() })) };
    },
  );
  app.get(
    '/api/v1/observations/latest',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Latest value of each metric of devices (by ids, or in an area)',
        querystring: z.object({
          deviceIds: z.string().optional().describe('comma-separated'),
          area: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(5000).default(1000),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                deviceId: z.string(),
                metric: z.string(),
                at: iso,
                value: z.union([z.number(), z.boolean(), z.string()]),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { deviceIds, area, limit } = request.query;
      const filter = { deviceIds: deviceIds?.split(',').filter(Boolean), area, limit };
      const rows = await sensing.queries.latest(principalOf(request), filter, sensing.now());
      return { items: rows.map((r) => ({ ...r, at: r.at.toISOString() })) };
    },
  );
  app.post(
    '/api/v1/observations',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Batch of observations: as a device (x-device-id + x-device-secret) or an admin API key',
        description:
          'Each item is `{ "observedAt": ISO-8601, ...FIWARE attributes }`, plus `deviceId` when sent with an API key. ' +
          'Bad items are dead-lettered (see /api/v1/dead-letters), never refused as a whole.',
        security: [{ apiKey: [] }, {}],
        headers: z.object({ 'x-device-id': z.string().optional(), 'x-device-secret': z.string().optional() }),
        body: z.array(z.record(z.string(), z.unknown())).min(1).max(5000),
        response: { 202: IngestSummarySchema },
      },
    },
    async (request, reply) => {
      const batch = await batchOf(sensing, request.headers, request.principal, request.body);
      // A device sends only its own observations (checked above); an API key only its jurisdiction's.
      const r =
        request.headers['x-device-id'] !== undefined
          ? await sensing.ingest(batch)
          : await sensing.ingestAs(request.principal!, batch);
      return reply.status(202).send({
        received: r.received,
        deadLettered: r.deadLettered,
        stored: r.stored,
        duplicates: r.duplicates,
        alertsRaised: r.raised.length,
        alertsCleared: r.cleared.length,
      });
    },
  );
  app.get(
    '/api/v1/dead-letters',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Observations refused, with the reason and the payload as received (admins)',
        querystring: DeadLetterQuerySchema,
        response: { 200: z.object({ items: z.array(DeadLetterSchema) }) },
      },
    },
    async (request) => ({ items: await sensing.deadLetters(principalOf(request), request.query) }),
  );
}
