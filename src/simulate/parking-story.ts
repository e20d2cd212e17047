/**
 * The parking story: a citizen heading for Jiefangbei (解放碑) searches the shared spaces within
 * 1 km for the next hours, books the nearest free one fitted with an occupancy sensor; a second
 * citizen trying the same space is refused (`taken`); the car arrives, the space's sensor
 * publishes `occupied` (MQTT in the CLI, sensing's intake in the test), the booking is confirmed
 * and the site's utilisation of the day rises. Runs in-process (the test) and against a running
 * demo (`citybrain simulate --story parking`).
 */
import { operatorFor } from '../demo/story-staffing.ts';
import type { Driver, Json } from './driver.ts';
import type { StoryOutcome } from './outcomes.ts';

const MIN = 60_000;
/** Jiefangbei (解放碑), 106.577 E 29.557 N. */
const JIEFANGBEI = { lon: 106.577, lat: 29.557 };
const PLATE = '渝A5P7K2';

const dayOf = (t: number) => new Date(t + 480 * MIN).toISOString().slice(0, 10);

/** Runs the story; its outcome holds when the booking was made, confirmed by the sensor, and utilisation rose. */
export async function parkingStory(d: Driver): Promise<{ outcome: StoryOutcome; booking: Json }> {
  const op = operatorFor('500103');
  const now = d.now();
  const from = Math.floor(now / MIN) * MIN;
  const day = dayOf(from);
  const city = await d.call('GET', `/api/v1/parking/utilisation?day=${day}`, op);
  if (city.status !== 200) throw new Error(`utilisation: ${city.status} ${JSON.stringify(city.body)}`);
  d.log(`解放碑 错峰共享停车：全市 ${city.body.spaces} 个共享泊位（合成数据）`);

  // The longest stay (2 h down to 15 min) some space near Jiefangbei is offered for from now.
  let found: { site: Json; spot: Json; to: number } | undefined;
  for (const minutes of [120, 60, 30, 15]) {
    const to = from + minutes * MIN;
    const q = `lon=${JIEFANGBEI.lon}&lat=${JIEFANGBEI.lat}&radius=1000&limit=50&from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
    const r = await d.call('GET', `/api/v1/parking/spaces?${q}`);
    if (r.status !== 200) throw new Error(`search: ${r.status} ${JSON.stringify(r.body)}`);
    search: for (const site of r.body.items as Json[])
      for (const id of site.freeSpots as string[]) {
        const spot = (await d.call('GET', `/api/v1/parking/spots/${encodeURIComponent(id)}`)).body;
        if (spot.refDevice) {
          found = { site, spot, to };
          break search;
        }
      }
    if (found) break;
  }
  if (!found) throw new Error('no shared space with a sensor free near 解放碑 for the next 15 minutes');
  const { site, spot, to } = found;
  d.log(
    `  市民搜索 1 公里内：${site.name}，距 ${site.distanceM} 米，${site.availableSpotNumber} 个空位（${new Date(from).toISOString()} 起 ${(to - from) / MIN} 分钟）`,
  );
  const siteBefore = (await d.call('GET', `/api/v1/parking/utilisation?day=${day}&site=${site.id}`, op)).body;

  const booked = await d.call('POST', '/api/v1/parking/bookings', undefined, {
    spotId: spot.id,
    plate: PLATE,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  });
  if (booked.status !== 201) throw new Error(`booking: ${booked.status} ${JSON.stringify(booked.body)}`);
  d.log(`  预约泊位 ${spot.id}（${booked.body.plate}），状态 ${booked.body.status}`);
  const again = await d.call('POST', '/api/v1/parking/bookings', undefined, {
    spotId: spot.id,
    plate: '渝B7H3M9',
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  });
  d.log(`  另一位市民预约同一泊位：${again.status} ${again.body?.error?.code ?? ''}`);

  // The car arrives: the space's geomagnetic sensor reports occupied.
  await d.advance(2 * MIN);
  await d.publish(spot.refDevice, [{ observedAt: new Date(d.now()).toISOString(), status: 'occupied' }]);
  d.log(`  车辆驶入，地磁传感器 ${spot.refDevice} 上报 occupied`);
  const confirmed = await d.until('the booking is confirmed by the sensor', async () => {
    const b = (await d.call('GET', `/api/v1/parking/bookings/${booked.body.id}`)).body;
    return b.occupiedAt ? b : null;
  });
  d.log(`  预约确认：${confirmed.status}，${confirmed.occupiedAt} 入位`);

  const siteAfter = (await d.call('GET', `/api/v1/parking/utilisation?day=${day}&site=${site.id}`, op)).body;
  const cityAfter = (await d.call('GET', `/api/v1/parking/utilisation?day=${day}`, op)).body;
  d.log(
    `  ${site.name} 当日利用率 ${(siteBefore.utilisationAfter * 100).toFixed(2)}% → ${(siteAfter.utilisationAfter * 100).toFixed(2)}%（仅业主自用 ${(siteBefore.utilisationBefore * 100).toFixed(2)}%）`,
  );

  const occupancyConfirmed =
    ['occupied', 'completed'].includes(confirmed.status) && confirmed.occupiedAt !== null;
  const checks: [boolean, string][] = [
    [city.body.spaces > 0, 'the city has shared spaces'],
    [booked.status === 201, 'the citizen books a shared space near 解放碑'],
    [
      again.status === 409 && again.body?.error?.code === 'taken',
      'a second booking of the space is refused (taken)',
    ],
    [occupancyConfirmed, 'the occupancy sensor confirms the booking'],
    [siteAfter.utilisationAfter > siteBefore.utilisationAfter, 'the site’s utilisation rises'],
  ];
  const failed = checks.filter(([ok]) => !ok).map(([, what]) => what);
  return {
    booking: confirmed,
    outcome: {
      story: 'parking',
      holds: failed.length === 0,
      failed,
      sharedSpaces: city.body.spaces,
      site: site.id,
      spot: spot.id,
      distanceM: site.distanceM,
      minutes: (to - from) / MIN,
      booked: booked.status === 201,
      takenRefused: again.status === 409,
      occupancyConfirmed,
      utilisationBefore: siteBefore.utilisationAfter,
      utilisationAfter: siteAfter.utilisationAfter,
      ownersOnlyUtilisation: siteBefore.utilisationBefore,
      cityUtilisationBefore: city.body.utilisationAfter,
      cityUtilisationAfter: cityAfter.utilisationAfter,
    },
  };
}
