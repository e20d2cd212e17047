import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { shrinkPhoto } from '../shared/photos.ts';

/**
 * Open311 GeoReport v2 is the citizen intake. Its answers are not described in the server's
 * OpenAPI document (format-suffixed routes with untyped bodies), so they are checked here.
 *
 * The portal is an Open311 "client application": its api_key comes from the build
 * (`VITE_CITYBRAIN_OPEN311_KEY`) or `localStorage['citybrain.open311Key']`. Without one, the
 * portal files through the event centre's own keyless citizen API (POST /api/v1/citizen/requests),
 * which answers the same id and token.
 *
 * Photos are uploaded first (POST /api/v1/citizen/photos, raw bytes; with the Open311 key as
 * x-api-key when there is one), then named by the request: `photos: [id]` on the citizen API,
 * the upload's URL as `media_url` (repeated) on Open311.
 */
export interface Open311Status {
  available: boolean;
  services: { code: string; name: string }[];
}

/** The Open311 client key, if this build or browser has one. */
export function open311Key(): string | undefined {
  const built = import.meta.env.VITE_CITYBRAIN_OPEN311_KEY as string | undefined;
  let stored: string | null = null;
  try {
    stored = localStorage.getItem('citybrain.open311Key');
  } catch {
    // storage blocked
  }
  return stored || built || undefined;
}

/** Whether the server offers Open311 intake, and its service list. */
export function useOpen311() {
  return useQuery({
    queryKey: ['open311-services'],
    staleTime: 60_000,
    queryFn: async (): Promise<Open311Status> => {
      const res = await fetch('/open311/v2/services.json', { headers: { accept: 'application/json' } });
      if (!res.ok) return { available: false, services: [] };
      const body: unknown = await res.json().catch(() => null);
      const services = Array.isArray(body)
        ? body.flatMap((s) =>
            s && typeof s.service_code === 'string'
              ? [{ code: s.service_code as string, name: String(s.service_name ?? s.service_code) }]
              : [],
          )
        : [];
      // "general" (classified automatically) first: citizens rarely know the category.
      services.sort((a, b) => Number(b.code === 'general') - Number(a.code === 'general'));
      return { available: services.length > 0, services };
    },
  });
}

/** A filed request as the portal remembers it (the token is the citizen's secret). */
export interface Filed {
  id: string;
  /** The number people read and type, e.g. CQ-20261207-000123 (older entries may lack it). */
  trackingNo?: string;
  token: string;
  description: string;
  filedAt: string;
  notice?: string;
  /** Photos sent with it. */
  photos?: number;
}

/** An uploaded photo: its id and the URL a request names it by. */
export interface UploadedPhoto {
  id: string;
  url: string;
}

/** A refused upload, with the server's machine-readable code (unsupported_media_type, payload_too_large, rate_limited…). */
export class PhotoUploadError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Shrinks (when big) and uploads one photo; the server checks its type by content. */
export async function uploadPhoto(file: Blob): Promise<UploadedPhoto> {
  const body = await shrinkPhoto(file);
  const key = open311Key();
  const res = await fetch('/api/v1/citizen/photos', {
    method: 'POST',
    headers: {
      'content-type': body.type || 'application/octet-stream',
      ...(key ? { 'x-api-key': key } : {}),
    },
    body,
  });
  const answer = (await res.json().catch(() => null)) as {
    id?: string;
    url?: string;
    error?: { code?: string; message?: string };
  } | null;
  if (!res.ok || !answer?.id || !answer.url)
    throw new PhotoUploadError(
      answer?.error?.code ?? 'http_error',
      answer?.error?.message ?? `HTTP ${res.status}`,
    );
  return { id: answer.id, url: answer.url };
}

/** Files a request; resolves with its id, tracking number and token. */
export async function fileRequest(fields: {
  serviceCode: string;
  description: string;
  lon: number;
  lat: number;
  name?: string;
  phone?: string;
  photos?: UploadedPhoto[];
}): Promise<Filed> {
  const photos = fields.photos ?? [];
  const key = open311Key();
  const filedAt = new Date().toISOString();
  if (!key) {
    const result = unwrap(
      await api.POST('/api/v1/citizen/requests', {
        body: {
          description: fields.description,
          location: { lon: fields.lon, lat: fields.lat },
          ...(fields.serviceCode && fields.serviceCode !== 'general'
            ? { serviceCode: fields.serviceCode }
            : {}),
          media: [],
          photos: photos.map((p) => p.id),
          reporter: {
            ...(fields.name ? { name: fields.name } : {}),
            ...(fields.phone ? { phone: fields.phone } : {}),
          },
        },
      }),
    );
    return {
      id: result.event.id,
      trackingNo: result.event.trackingNo,
      token: result.token,
      description: fields.description,
      filedAt,
    };
  }
  const form = new URLSearchParams({
    api_key: key,
    service_code: fields.serviceCode || 'general',
    description: fields.description,
    long: String(fields.lon),
    lat: String(fields.lat),
  });
  if (fields.name) form.set('first_name', fields.name);
  if (fields.phone) form.set('phone', fields.phone);
  for (const p of photos) form.append('media_url', p.url);
  const res = await fetch('/open311/v2/requests.json', { method: 'POST', body: form });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const first = Array.isArray(body) ? body[0] : undefined;
    throw new Error(String(first?.description ?? `HTTP ${res.status}`));
  }
  const first = Array.isArray(body) ? body[0] : undefined;
  const id = first?.service_request_id;
  // Realtime services answer no GeoReport `token`; the reporter's secret is `reporter_token`.
  if (typeof id !== 'string' || typeof first?.reporter_token !== 'string')
    throw new Error('no tracking number in the answer');
  return {
    id,
    ...(typeof first.tracking_number === 'string' ? { trackingNo: first.tracking_number } : {}),
    token: first.reporter_token,
    description: fields.description,
    filedAt,
    ...(typeof first.service_notice === 'string' ? { notice: first.service_notice } : {}),
  };
}

/** One request's public status (GET /open311/v2/requests/{id}.json). */
export interface RequestStatus {
  trackingNo: string | null;
  status: 'open' | 'closed' | string;
  statusNotes: string | null;
  agency: string | null;
  service: string | null;
  requested: string | null;
  updated: string | null;
  expected: string | null;
  mediaUrl: string | null;
  lat: number | null;
  long: number | null;
}

/** One request's status; its `status_notes` in `lang` (the server renders them from their codes). */
export async function fetchStatus(id: string, lang: string): Promise<RequestStatus> {
  const res = await fetch(`/open311/v2/requests/${encodeURIComponent(id)}.json`, {
    headers: { 'accept-language': lang },
  });
  const body: unknown = await res.json().catch(() => null);
  const r = Array.isArray(body) ? (body[0] as Record<string, unknown>) : undefined;
  if (!res.ok || !r) throw new Error(String((r?.description as string) ?? `HTTP ${res.status}`));
  const s = (k: string) => (typeof r[k] === 'string' && r[k] ? (r[k] as string) : null);
  const n = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : null);
  return {
    trackingNo: s('tracking_number'),
    status: s('status') ?? 'open',
    statusNotes: s('status_notes'),
    agency: s('agency_responsible'),
    service: s('service_name') ?? s('service_code'),
    requested: s('requested_datetime'),
    updated: s('updated_datetime'),
    expected: s('expected_datetime'),
    mediaUrl: s('media_url'),
    lat: n('lat'),
    long: n('long'),
  };
}

/** A photo of my request: one I sent (`report`) or the proof of the work once closed (`result`). */
export interface RequestPhoto {
  id: string;
  kind: 'report' | 'result';
  /** Ready for an <img>: the download path with the token. */
  src: string;
}

/** The photos of my request (GET /api/v1/citizen/requests/{id}/photos?token=). */
export async function fetchPhotos(id: string, token: string): Promise<RequestPhoto[]> {
  const items = unwrap(
    await api.GET('/api/v1/citizen/requests/{id}/photos', { params: { path: { id }, query: { token } } }),
  ).items;
  return items.map((p) => ({ id: p.id, kind: p.kind, src: `${p.url}?token=${encodeURIComponent(token)}` }));
}

/** The id a token belongs to (GET /open311/v2/tokens/{token}.json). */
export async function idOfToken(token: string): Promise<string> {
  const res = await fetch(`/open311/v2/tokens/${encodeURIComponent(token)}.json`);
  const body: unknown = await res.json().catch(() => null);
  const first = Array.isArray(body) ? body[0] : undefined;
  if (!res.ok || typeof first?.service_request_id !== 'string') throw new Error(`HTTP ${res.status}`);
  return first.service_request_id;
}

const MINE = 'citybrain.citizen.requests';

/** The requests filed from this browser, newest first. */
export function myRequests(): Filed[] {
  try {
    const list = JSON.parse(localStorage.getItem(MINE) ?? '[]') as Filed[];
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

/** Remembers a filed request (replacing one with the same id). */
export function remember(filed: Filed): void {
  const list = [filed, ...myRequests().filter((f) => f.id !== filed.id)].slice(0, 50);
  localStorage.setItem(MINE, JSON.stringify(list));
}
