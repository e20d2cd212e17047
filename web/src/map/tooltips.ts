import type { TFunction } from 'i18next';
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
