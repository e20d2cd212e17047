import type { TFunction } from 'i18next';
import { DEVICE_STATUSES, type DevicePoints, deviceDetail } from '../api/devices.ts';
import { timeOf } from '../cockpit/eventText.ts';
import { windowsText } from './parking.ts';
import type { ThematicInput } from './thematic.ts';

/** The tooltip texts of the thematic layers: a water section's class, a crowd hexagon's count. */
export function thematicText(t: TFunction): ThematicInput['text'] {
  return {
    section: (s) =>
      t('layers.water.tooltip', {
        section: s.section,
        grade: s.class ? t(`layers.water.grade.${s.class}`) : t('layers.water.noData'),
        target: s.targetClass ? t(`layers.water.grade.${s.targetClass}`) : '—',
        deciding: s.deciding.map((d) => `${d.parameter} ${d.value}`).join(', ') || '—',
        day: s.day ?? '—',
      }),
    hexagon: (people, counters) => t('layers.crowd.tooltip', { people, counters }),
    link: (l) =>
      t('layers.traffic.tooltip', {
        name: l.name,
        level: l.level ? t(`layers.traffic.level.${l.level}`) : t('layers.traffic.noData'),
        tti: l.tti ?? '—',
        speed: l.speedKmh ?? '—',
        freeFlow: l.freeFlowKmh,
      }),
    site: (s) =>
      t('layers.parking.tooltip', {
        name: s.name,
        free: s.free,
        total: s.total,
        windows: windowsText(s.windows, t('layers.parking.weekdays', { returnObjects: true }) as string[]),
      }),
    street: (s) =>
      t('layers.lifecircle.tooltip', {
        name: s.name,
        all: Math.round(s.allShare * 100),
        elderly: Math.round(s.share.elderly_care * 100),
        population: s.population,
        shares: Object.entries(s.share)
          .map(([k, v]) => `${t(`layers.lifecircle.category.${k}`)} ${Math.round(v * 100)}%`)
          .join('，'),
      }),
  };
}

/** The label of a team's marker. */
export function teamText(team: { name: string }): string {
  return `${team.name}`;
}

/**
 * A device's tooltip: its name and id, type and status, and when it last reported. The name and
 * last report are read on first hover (the map's points carry neither): until then the tooltip
 * says it is loading, and the next pointer move shows them.
 */
export function deviceText(t: TFunction, points: DevicePoints, index: number): string {
  const id = points.ids[index] ?? '';
  const type = points.types[points.type[index] ?? 0] ?? '';
  const status = DEVICE_STATUSES[points.status[index] ?? 1] ?? 'offline';
  const detail = deviceDetail(id);
  const seen = !detail
    ? t('common.loading')
    : detail.lastSeenAt
      ? t('map.deviceLastSeen', { time: timeOf(detail.lastSeenAt) })
      : t('map.deviceNeverSeen');
  return [
    detail ? `${detail.name} (${id})` : id,
    `${t(`deviceTypes.${type}`, type)} · ${t(`deviceStatus.${status}`)}`,
    seen,
  ].join('\n');
}
