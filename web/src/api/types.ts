import type { Readable } from 'openapi-typescript-helpers';
import type { paths } from './schema.d.ts';

/**
 * The JSON body of a 200 answer of `GET path`, taken from the generated OpenAPI types, as
 * openapi-fetch hands it out (its Readable<> view, in which tuples become arrays).
 */
export type GetOk<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer T } } } };
}
  ? Readable<T>
  : never;

/** The current principal (GET /api/v1/auth/me). */
export type Me = GetOk<'/api/v1/auth/me'>;
/** One jurisdiction node with its bbox and label point. */
export type Jurisdiction = GetOk<'/api/v1/jurisdictions/{code}'>;
/** Boundaries as GeoJSON (the map layer). */
export type Boundaries = GetOk<'/api/v1/jurisdictions.geojson'>;
/** Kinds of team, in the order of the server's enum. */
export type TeamKind = GetOk<'/api/v1/teams'>['items'][number]['kind'];
/** A team on the map and in the KPI panel: one row of GET /api/v1/teams/points. */
export interface Team {
  code: string;
  name: string;
  kind: TeamKind;
  jurisdictionPath: string;
  /** Last reported position, else the base. */
  lon: number;
  lat: number;
}
/** Ancestor chain of a located point. */
export type Located = GetOk<'/api/v1/jurisdictions/locate'>;

/** A [west, south, east, north] box from the API's bbox array. */
export function bounds(bbox: readonly number[]): [number, number, number, number] {
  const [w = 0, s = 0, e = 0, n = 0] = bbox;
  return [w, s, e, n];
}

/** A [lon, lat] pair from the API's label array. */
export function lonLat(point: readonly number[]): [number, number] {
  const [lon = 0, lat = 0] = point;
  return [lon, lat];
}
