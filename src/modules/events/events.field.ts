import type { FieldEvent } from '../dispatch/index.ts';
import type { EventCore } from './events.core.ts';
import { citizenPhotoPath } from './events.photos.ts';

/**
 * What a field officer's task card shows of each event: its description, the jurisdiction names
 * from the district down (渝中区 › 解放碑街道) and the citizens' photos (of the event and of the
 * reports merged into it), and a landmark near it when one is known. Not scoped: dispatch asks only for the events of the officer's tasks.
 */
export async function fieldContexts(
  core: EventCore,
  eventIds: string[],
  landmarkNear?: (lon: number, lat: number) => Promise<string | null>,
): Promise<Map<string, FieldEvent>> {
  const out = new Map<string, FieldEvent>();
  for (const id of new Set(eventIds)) {
    const row = await core.repo.find(core.db(), id);
    if (!row) continue;
    const reporters = await core.repo.reporters(core.db(), row.id);
    const filed = new Set([row.id, ...reporters.map((r) => r.filed_event_id)]);
    const photos = await core.photos.ofEvents([...filed]);
    out.set(id, {
      trackingNo: row.tracking_no,
      description: row.description,
      chain: row.chain.filter((c) => c.level !== 'city').map((c) => c.name),
      landmark: (await landmarkNear?.(row.lon, row.lat)) ?? null,
      photos: photos.map((p) => ({ id: p.id, url: citizenPhotoPath(p.id) })),
    });
  }
  return out;
}
