import fs from 'node:fs';
import { type Principal, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import {
  type EventDetail,
  type EventService,
  type NoteLanguage,
  renderNote,
  uploadIdOf,
} from '../events/index.ts';
import { Gazetteer, type Place } from './open311.gazetteer.ts';
import {
  Open311Failure,
  type RequestDto,
  type ServiceDto,
  type ServiceFile,
  ServiceFileSchema,
} from './open311.schema.ts';

/** The shipped Open311 service file. */
export const OPEN311_SERVICES_FILE = new URL(
  '../../../data/events/open311-services.v1.json',
  import.meta.url,
);

/** A responsibility-list item as Open311 needs it. */
export interface ListedRule {
  category: string;
  zh: string;
  en: string;
  domain: string;
}

/** What the Open311 service is built from. */
export interface Open311Deps {
  events: EventService;
  clock: Clock;
  /** The current responsibility list and its domains (organisation). */
  rules(): Promise<{ items: ListedRule[]; domains: { code: string; zh: string; en: string }[] }>;
  /** Resolves an api_key to its principal; throws for a bad key (identity). */
  authenticate(apiKey: string): Promise<Principal | undefined>;
  servicesFile?: string | URL;
  /** Sources of the names an `address_string` may give (jurisdictions, landmarks); more with addPlaces. */
  places?: (() => Promise<Place[]>)[];
}

/** The longest address_string accepted (the event centre keeps 300 characters). */
const MAX_ADDRESS = 300;
/** How long the gazetteer built from the place sources is reused (names change rarely). */
const GAZETTEER_TTL_MS = 60_000;

/** Days GET requests looks back by default, and the most it returns (the spec's defaults). */
const DEFAULT_DAYS = 90;
const MAX_RESULTS = 1000;

/**
 * Open311 GeoReport v2 over the event centre: the service list is the responsibility list's
 * categories citizens may report (plus `general`, classified automatically); requests are events.
 */
export class Open311Service {
  private readonly deps: Open311Deps;
  private readonly file: ServiceFile;
  private readonly placeSources: (() => Promise<Place[]>)[];
  private gazetteer: { at: number; built: Promise<{ gazetteer: Gazetteer; landmarks: Place[] }> } | undefined;

  constructor(deps: Open311Deps) {
    this.deps = deps;
    this.placeSources = [...(deps.places ?? [])];
    this.file = ServiceFileSchema.parse(
      JSON.parse(fs.readFileSync(deps.servicesFile ?? OPEN311_SERVICES_FILE, 'utf8')),
    );
  }

  /** Adds a source of place names for `address_string` (wired after the scenarios that hold landmarks). */
  addPlaces(source: () => Promise<Place[]>): void {
    this.placeSources.push(source);
    this.gazetteer = undefined;
  }

  /** Where an address string lies (the matched place's representative point); 400 when it cannot be placed. */
  async geocode(address: string) {
    return (await this.places()).gazetteer.locate(address);
  }

  /** Named places (streets, districts, landmarks) whose name contains the text: the portal's address search. */
  async searchPlaces(text: string, limit: number): Promise<Place[]> {
    return (await this.places()).gazetteer.search(text, limit);
  }

  /** The nearest named landmark within `maxMetres` of a point (a field card's "near …"), or null. */
  async landmarkNear(lon: number, lat: number, maxMetres = 400): Promise<string | null> {
    let best: { name: string; d: number } | null = null;
    for (const p of (await this.places()).landmarks) {
      const d = metresBetween(lon, lat, p.lon, p.lat);
      if (d <= maxMetres && (!best || d < best.d)) best = { name: p.name, d };
    }
    return best?.name ?? null;
  }

  /** The gazetteer and landmarks built from the place sources, reused for a while (names change rarely). */
  private places(): Promise<{ gazetteer: Gazetteer; landmarks: Place[] }> {
    const now = performance.now();
    if (!this.gazetteer || now - this.gazetteer.at > GAZETTEER_TTL_MS) {
      const built = Promise.all(this.placeSources.map((source) => source())).then((lists) => {
        const all = lists.flat();
        return { gazetteer: new Gazetteer(all), landmarks: all.filter((p) => p.level === 'landmark') };
      });
      this.gazetteer = { at: now, built };
      built.catch(() => {
        if (this.gazetteer?.built === built) this.gazetteer = undefined;
      });
    }
    return this.gazetteer.built;
  }

  /** GET services. */
  async services(): Promise<ServiceDto[]> {
    const { items, domains } = await this.deps.rules();
    const groups = new Map(domains.map((d) => [d.code, `${d.zh} ${d.en}`]));
    const g = this.file.general;
    return [
      {
        service_code: g.service_code,
        service_name: g.service_name,
        description: g.description,
        metadata: false,
        type: 'realtime',
        keywords: g.keywords.join(','),
        group: '综合 General',
      },
      ...items
        .filter((i) => !this.file.excluded.includes(i.category))
        .map((i) => ({
          service_code: i.category,
          service_name: `${i.zh} ${i.en}`,
          description: `${i.zh} — ${i.en}`,
          metadata: (this.file.attributes[i.category] ?? []).length > 0,
          type: 'realtime' as const,
          keywords: `${i.zh},${i.en}`,
          group: groups.get(i.domain) ?? i.domain,
        })),
    ];
  }

  /** GET services/{service_code}: its attributes. */
  async definition(code: string) {
    const service = (await this.services()).find((s) => s.service_code === code);
    if (!service) throw new Open311Failure(404, `service_code ${code} not found`);
    const attributes = (this.file.attributes[code] ?? []).map((a, i) => ({
      variable: true,
      code: a.code,
      datatype: a.datatype,
      required: a.required,
      datatype_description: null,
      order: i + 1,
      description: a.description,
      ...(a.values ? { values: a.values } : {}),
    }));
    return { service_code: code, attributes };
  }

  /** POST requests. */
  async create(
    params: Record<string, unknown> & {
      api_key?: string;
      service_code?: string;
      lat?: number;
      long?: number;
    },
  ) {
    // GeoReport: a missing or invalid api_key is 403.
    if (!str(params.api_key))
      throw new Open311Failure(403, 'api_key is required -- can\u2019t proceed with create_request.');
    const principal = await this.deps.authenticate(str(params.api_key) as string).catch(() => undefined);
    if (!principal)
      throw new Open311Failure(403, 'Invalid api_key received -- can\u2019t proceed with create_request.');
    if (!params.service_code) throw new Open311Failure(400, 'service_code is required');
    const services = await this.services();
    if (!services.some((s) => s.service_code === params.service_code)) {
      throw new Open311Failure(404, `service_code ${params.service_code} not found`);
    }
    const address = str(params.address_string);
    const location = await this.where(params.lat, params.long, address, str(params.address_id));
    const description = str(params.description);
    if (!description) throw new Open311Failure(400, 'description is required');
    this.checkAttributes(params.service_code, params);
    const name = [str(params.first_name), str(params.last_name)].filter(Boolean).join(' ');
    // Our own uploads are attached to the request; any other URL is kept as given.
    const urls = (Array.isArray(params.media_url) ? params.media_url : [params.media_url])
      .map(str)
      .filter((u): u is string => u !== undefined);
    const photos = urls.map(uploadIdOf).filter((id): id is string => id !== undefined);
    const media = urls.filter((u) => uploadIdOf(u) === undefined);
    const result = await this.deps.events.intake(principal, 'citizen', {
      description,
      location,
      ...(address ? { address } : {}),
      ...(params.service_code === this.file.general.service_code ? {} : { category: params.service_code }),
      serviceCode: params.service_code,
      media,
      photos,
      reporter: {
        ...(name ? { name } : {}),
        ...(str(params.email) ? { email: str(params.email) } : {}),
        ...(str(params.phone) ? { phone: str(params.phone) } : {}),
        ...(str(params.account_id) ? { accountId: str(params.account_id) } : {}),
        ...(str(params.device_id) ? { deviceId: str(params.device_id) } : {}),
      },
    });
    // Every service is realtime: the request exists now, so GeoReport answers its id and no
    // `token`. The reporter's own secret (follow the request, download its photos) is the
    // extension field `reporter_token`; GET tokens/{reporter_token} answers the id too. The
    // extension `tracking_number` is what people read (CQ-20261207-000123); GET requests/{id} and
    // `service_request_id=` accept it in place of the id.
    return [
      {
        service_request_id: result.event.id,
        tracking_number: result.event.trackingNo,
        reporter_token: result.token,
        service_notice: result.duplicate
          ? '已与同一问题的其他反映合并办理 Merged with an earlier report of the same problem'
          : null,
        account_id: str(params.account_id) ?? null,
      },
    ];
  }

  /** GET requests, with the spec's filters (ids override the rest; 90 days and 1,000 results by default). */
  async list(
    q: {
      service_request_id?: string;
      service_code?: string;
      start_date?: string;
      end_date?: string;
      status?: string;
    },
    base = '',
    lang: NoteLanguage = 'zh-CN',
  ): Promise<RequestDto[]> {
    if (q.service_request_id) {
      const ids = q.service_request_id
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .slice(0, MAX_RESULTS);
      const found = await Promise.all(ids.map((id) => this.deps.events.publicGet(id)));
      return Promise.all(
        found
          .filter((e): e is EventDetail => e !== undefined && e.source === 'citizen')
          .map((e) => this.toRequest(e, base, lang)),
      );
    }
    const end = q.end_date ? date(q.end_date, 'end_date') : this.deps.clock.now();
    const start = q.start_date
      ? date(q.start_date, 'start_date')
      : new Date(end.getTime() - DEFAULT_DAYS * 86_400_000);
    const statuses = q.status?.split(',').map((s) => s.trim());
    if (statuses?.some((s) => s !== 'open' && s !== 'closed'))
      throw new Open311Failure(400, 'status must be open or closed');
    const codes = q.service_code?.split(',').map((s) => s.trim());
    const events = await this.deps.events.list(SYSTEM_PRINCIPAL, {
      source: 'citizen',
      from: start.toISOString(),
      to: end.toISOString(),
      limit: MAX_RESULTS,
    });
    const out: RequestDto[] = [];
    for (const e of events) {
      const detail = await this.deps.events.publicGet(e.id);
      if (!detail) continue;
      const request = await this.toRequest(detail, base, lang);
      if (codes && !codes.includes(request.service_code)) continue;
      if (statuses && !statuses.includes(request.status)) continue;
      out.push(request);
    }
    return out;
  }

  /** GET requests/{id}. */
  async get(id: string, base = '', lang: NoteLanguage = 'zh-CN'): Promise<RequestDto[]> {
    const e = await this.deps.events.publicGet(id);
    if (e?.source !== 'citizen') throw new Open311Failure(404, `service_request_id ${id} not found`);
    return [await this.toRequest(e, base, lang)];
  }

  /** GET tokens/{token}. */
  async token(token: string) {
    const found = await this.deps.events.byToken(token);
    if (!found) throw new Open311Failure(404, `token ${token} not found`);
    return [{ service_request_id: found.filed, token }];
  }

  /**
   * One request as GeoReport shows it. `media_url`: the proof photo once the request is closed,
   * else the first photo the reporter sent, else the URL they gave. Our photos are personal data
   * and not published: downloading one needs the reporter's `?token=` (or staff credentials).
   */
  private async toRequest(e: EventDetail, base: string, lang: NoteLanguage): Promise<RequestDto> {
    const master = e.mergedInto ? ((await this.deps.events.publicGet(e.mergedInto)) ?? e) : e;
    const services = await this.services();
    const code = serviceCodeOf(e, services, this.file.general.service_code);
    const closed = master.status === 'closed';
    return {
      service_request_id: e.id,
      status: closed ? 'closed' : 'open',
      // In the requester's language (Accept-Language; zh-CN by default), from the note's code.
      status_notes: renderNote(master, lang),
      service_name: services.find((s) => s.service_code === code)?.service_name ?? null,
      service_code: code,
      description: e.description,
      agency_responsible: master.agency,
      service_notice: e.mergedInto ? 'merged with an earlier report of the same problem' : null,
      requested_datetime: e.createdAt,
      updated_datetime: [master.updatedAt, e.updatedAt].sort().at(-1) ?? e.updatedAt,
      expected_datetime: master.expectedAt,
      // The address given, else a readable one from the jurisdiction chain (重庆市渝中区解放碑街道).
      address: e.address ?? (e.chain.map((c) => c.name).join('') || null),
      address_id: null,
      zipcode: null,
      lat: e.location.lat,
      long: e.location.lon,
      media_url: await this.mediaUrl(e, base),
      // Extension fields after the spec's own, so a client reading the spec's order reads it unchanged.
      tracking_number: e.trackingNo,
    };
  }

  private async mediaUrl(e: EventDetail, base: string): Promise<string | null> {
    const refs = await this.deps.events.photoRefs(e.id);
    const ours = refs.result ?? refs.report;
    return ours ? `${base}${ours.url}` : (e.media[0] ?? null);
  }

  /** lat/long when given, else the place `address_string` names; 400 without a location. */
  private async where(
    lat: number | undefined,
    long: number | undefined,
    address: string | undefined,
    addressId: string | undefined,
  ): Promise<{ lon: number; lat: number }> {
    if (lat !== undefined && long !== undefined) return { lon: long, lat };
    if (address) {
      // The event keeps at most 300 characters of address; longer text is not an address.
      if (address.length > MAX_ADDRESS)
        throw new Open311Failure(400, `address_string is at most ${MAX_ADDRESS} characters`);
      const { place } = await this.geocode(address);
      return { lon: place.lon, lat: place.lat };
    }
    throw new Open311Failure(
      400,
      addressId
        ? `address_id ${addressId} is not known here: give lat and long or address_string`
        : 'a location is required: lat and long, or address_string',
    );
  }

  private checkAttributes(code: string, params: Record<string, unknown>): void {
    for (const a of this.file.attributes[code] ?? []) {
      const value = str(params[`attribute[${a.code}]`]);
      if (!value) {
        if (a.required) throw new Open311Failure(400, `attribute[${a.code}] is required for ${code}`);
        continue;
      }
      if (a.values && !a.values.some((v) => v.key === value)) {
        throw new Open311Failure(
          400,
          `attribute[${a.code}] must be one of ${a.values.map((v) => v.key).join(', ')}`,
        );
      }
    }
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function date(s: string, field: string): Date {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new Open311Failure(400, `${field} must be an ISO 8601 date-time`);
  return d;
}

/**
 * The service a request is listed under: the code it was filed with when that is still a service,
 * else its category when that is one (requests filed through the citizen API, by staff or from a
 * sensor alert have none), else `general`.
 */
function serviceCodeOf(e: EventDetail, services: readonly ServiceDto[], general: string): string {
  const known = (c: string | null) => c !== null && services.some((s) => s.service_code === c);
  if (known(e.serviceCode)) return e.serviceCode as string;
  if (known(e.category)) return e.category as string;
  return general;
}

/** Distance in metres between two WGS84 points (equirectangular: fine within a city). */
function metresBetween(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const x = (lon2 - lon1) * rad * Math.cos(((lat1 + lat2) / 2) * rad);
  const y = (lat2 - lat1) * rad;
  return Math.sqrt(x * x + y * y) * 6_371_000;
}
