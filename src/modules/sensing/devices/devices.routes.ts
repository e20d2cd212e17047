import { z } from 'zod';
import { principalOf } from '../../../platform/http/principal.ts';
import type { Api } from '../../../platform/http/server.ts';
import type { SensingService } from '../sensing.service.ts';
import type { DeviceRecord } from './devices.repository.ts';
import {
  type DeviceDto,
  DeviceIdSchema,
  DeviceInputSchema,
  DevicePatchSchema,
  DevicePointsQuerySchema,
  DevicePointsSchema,
  DeviceQuerySchema,
  DeviceSchema,
} from './devices.schema.ts';

/** A stored device in its API form (never the secret hash). */
export function toDeviceDto(d: DeviceRecord): DeviceDto {
  return {
    id: d.id,
    type: d.type,
    model: d.model,
    name: d.name,
    location: { lon: d.lon, lat: d.lat },
    jurisdictionPath: d.jurisdictionPath,
    jurisdictionCode: d.jurisdictionCode,
    departmentCode: d.departmentCode,
    metrics: d.metrics,
    sectionName: d.sectionName,
    targetClass: d.targetClass,
    waterBody: d.waterBody,
    status: d.status,
    lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

const Id = z.object({ id: DeviceIdSchema });
const CredentialSchema = z.object({ deviceId: z.string(), secret: z.string().describe('shown only once') });
const tags = ['sensing'];

/** Device registry routes: CRUD, bulk import, secret rotation. Writes need the admin role. */
export function registerDeviceRoutes(app: Api, sensing: SensingService): void {
  const devices = sensing.devices;
  app.get(
    '/api/v1/devices',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Devices in your jurisdiction',
        querystring: DeviceQuerySchema,
        response: { 200: z.object({ items: z.array(DeviceSchema) }) },
      },
    },
    async (request) => ({
      items: (await devices.list(principalOf(request), request.query)).map(toDeviceDto),
    }),
  );
  app.get(
    '/api/v1/devices/points',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary:
          'Every device in your jurisdiction as compact columns for a map layer (id, type, status, position)',
        querystring: DevicePointsQuerySchema,
        response: { 200: DevicePointsSchema },
      },
    },
    async (request) => devices.points(principalOf(request), request.query),
  );
  app.post(
    '/api/v1/devices',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags,
        summary: 'Register a device; its jurisdiction is found from its location; the secret is shown once',
        body: DeviceInputSchema,
        response: { 201: z.object({ device: DeviceSchema, secret: z.string() }) },
      },
    },
    async (request, reply) => {
      const { device, secret } = await devices.register(principalOf(request), request.body);
      return reply.status(201).send({ device: toDeviceDto(device), secret });
    },
  );
  app.post(
    '/api/v1/devices/import',
    {
      config: { access: { roles: ['admin'] } },
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Import devices from CSV or GeoJSON, all or nothing; errors name the row',
        body: z.strictObject({
          format: z.enum(['csv', 'geojson']),
          content: z
            .string()
            .min(1)
            .describe('CSV with a header row, or a GeoJSON FeatureCollection of Points'),
        }),
        response: { 201: z.object({ imported: z.number().int(), credentials: z.array(CredentialSchema) }) },
      },
    },
    async (request, reply) => {
      const credentials = await devices.import(
        principalOf(request),
        request.body.format,
        request.body.content,
      );
      return reply.status(201).send({ imported: credentials.length, credentials });
    },
  );
  app.get(
    '/api/v1/devices/:id',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'One device', params: Id, response: { 200: DeviceSchema } },
    },
    async (request) => toDeviceDto(await devices.get(principalOf(request), request.params.id)),
  );
  app.patch(
    '/api/v1/devices/:id',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags,
        summary: 'Change a device (a new location is located again)',
        params: Id,
        body: DevicePatchSchema,
        response: { 200: DeviceSchema },
      },
    },
    async (request) =>
      toDeviceDto(await devices.update(principalOf(request), request.params.id, request.body)),
  );
  app.delete(
    '/api/v1/devices/:id',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags,
        summary: 'Remove a device (its observations stay)',
        params: Id,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await devices.remove(principalOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/v1/devices/:id/secret',
    {
      config: { access: { roles: ['admin'] } },
      schema: {
        tags,
        summary: 'Issue a new device secret; the old one stops working',
        params: Id,
        response: { 200: CredentialSchema },
      },
    },
    async (request) => ({
      deviceId: request.params.id,
      secret: await devices.rotateSecret(principalOf(request), request.params.id),
    }),
  );
}
