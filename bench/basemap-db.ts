// Helper of basemap-tiles.ts (`--db`): the demo city in a fresh database, the base map wired as in the app.
import type { DatabaseKind } from '../src/platform/db/database.ts';
import { openTestDatabase } from '../src/platform/db/testing.ts';
import { demoBasemap } from '../src/wiring/basemap.fixture.ts';

/** Times of three index builds from the database (reads included) and of one tile after the last. */
export async function measureFromDatabase(
  kind: DatabaseKind,
): Promise<{ readMs: number[]; firstTileMs: number }> {
  const database = await openTestDatabase(kind);
  try {
    const basemap = await demoBasemap(database);
    const readMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await basemap.warm();
      readMs.push(performance.now() - t0);
    }
    const t0 = performance.now();
    await basemap.tile('13', '6521', '3390');
    return { readMs, firstTileMs: performance.now() - t0 };
  } finally {
    await database.close();
  }
}
