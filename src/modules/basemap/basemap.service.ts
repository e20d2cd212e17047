import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { BasemapSource } from './basemap.source.ts';
import { MAX_ZOOM, TileIndex } from './basemap.tiles.ts';

/** How the base map is kept. */
export interface BasemapOptions {
  /** The index is rebuilt from the source on the first request after this long (ms). */
  ttlMs: number;
  /** Encoded tiles kept per index (the most recently added win). */
  cachedTiles: number;
}

/** Ten minutes: a re-imported road network or boundary set shows within that, or at once after `invalidate()`. */
export const DEFAULT_BASEMAP_OPTIONS: BasemapOptions = { ttlMs: 10 * 60_000, cachedTiles: 4_000 };

/** What the base map is built from. */
export interface BasemapDeps {
  source: BasemapSource;
  clock: Clock;
  options?: Partial<BasemapOptions>;
}

/** One tile's answer: its bytes (none when nothing is there) and an entity tag of the content. */
export interface Tile {
  bytes: Uint8Array | undefined;
  etag: string;
}

interface Built {
  index: TileIndex;
  builtAt: number;
  stamp: string;
  tiles: Map<string, Tile>;
}

/**
 * Vector tiles of the city's own roads, boundaries, rivers and place names, sliced in memory from
 * one index that is built once (and again after the TTL or `invalidate()`), never per request.
 */
export class BasemapService {
  readonly options: BasemapOptions;
  readonly #deps: BasemapDeps;
  #built: Promise<Built> | undefined;
  #current: Built | undefined;
  #stale = false;

  constructor(deps: BasemapDeps) {
    this.#deps = deps;
    this.options = { ...DEFAULT_BASEMAP_OPTIONS, ...deps.options };
  }

  /** The tile at z/x/y; `invalid_tile` for an address that is not a tile or deeper than {@link MAX_ZOOM}. */
  async tile(z: string, x: string, y: string): Promise<Tile> {
    const [zi, xi, yi] = address(z, x, y);
    const built = await this.#index();
    const key = `${zi}/${xi}/${yi}`;
    const cached = built.tiles.get(key);
    if (cached) return cached;
    const bytes = built.index.encode(zi, xi, yi);
    const tile = {
      bytes,
      etag: `"${bytes ? createHash('sha1').update(bytes).digest('base64url').slice(0, 20) : `empty-${built.stamp}`}"`,
    };
    if (built.tiles.size >= this.options.cachedTiles)
      built.tiles.delete(built.tiles.keys().next().value as string);
    built.tiles.set(key, tile);
    return tile;
  }

  /** Builds the index afresh now and waits for it (at start, so the first visitor does not wait); returns what went in. */
  async warm(): Promise<TileIndex['counts']> {
    this.#stale = true;
    await this.#index();
    return (await (this.#built as Promise<Built>)).index.counts;
  }

  /** Marks the index stale: the next request rebuilds it (after a road network or boundary import). */
  invalidate(): void {
    this.#stale = true;
  }

  async #index(): Promise<Built> {
    const now = this.#deps.clock.now().getTime();
    const current = this.#current;
    const expired = current && (this.#stale || now - current.builtAt >= this.options.ttlMs);
    if (!this.#built || expired) {
      this.#stale = false;
      const building = this.#build(now);
      this.#built = building;
      building.then(
        (b) => {
          this.#current = b;
        },
        () => {
          // A failed rebuild leaves the last good index serving; the next request tries again.
          if (this.#built === building) this.#built = current ? Promise.resolve(current) : undefined;
        },
      );
      // While a rebuild runs, the old index answers.
      if (current) return current;
    }
    return this.#built as Promise<Built>;
  }

  async #build(now: number): Promise<Built> {
    const { source } = this.#deps;
    const [roads, areas, rivers] = await Promise.all([source.roads(), source.areas(), source.rivers()]);
    return {
      index: new TileIndex({ roads, areas, rivers }),
      builtAt: now,
      stamp: now.toString(36),
      tiles: new Map(),
    };
  }
}

const INTEGER = /^(0|[1-9][0-9]{0,6})$/;

function address(z: string, x: string, y: string): [number, number, number] {
  if (![z, x, y].every((s) => INTEGER.test(s)))
    throw new AppError('invalid_tile', `${z}/${x}/${y} is not a tile address (z/x/y, integers)`, {
      reason: 'not_integers',
      maxZoom: MAX_ZOOM,
    });
  const [zi, xi, yi] = [Number(z), Number(x), Number(y)];
  if (zi > MAX_ZOOM)
    throw new AppError('invalid_tile', `zoom ${zi} is beyond the base map's ${MAX_ZOOM}`, {
      reason: 'zoom_beyond_max',
      maxZoom: MAX_ZOOM,
    });
  const size = 2 ** zi;
  if (xi >= size || yi >= size)
    throw new AppError('invalid_tile', `${xi}/${yi} is outside zoom ${zi} (0–${size - 1})`, {
      reason: 'outside_zoom',
      maxZoom: MAX_ZOOM,
    });
  return [zi, xi, yi];
}
