/**
 * A monitoring section's GB 3838 class from its (daily mean) readings and whether it is out of
 * standard (超标) against its target class. The class table is gb3838.ts; this
 * only compares its grades with the section's target.
 */
import { assess, type Gb3838Class } from './gb3838.ts';
import type { Section } from './network.schema.ts';

const ORDER = ['I', 'II', 'III', 'IV', 'V', '劣V'] as const;

export interface SectionStatus {
  sectionId: string;
  target: Gb3838Class;
  /** Overall grade: the worst parameter decides. */
  grade: (typeof ORDER)[number];
  outOfStandard: boolean;
  /** FIWARE attributes worse than the target, with their own grade. */
  exceeding: { metric: string; value: number; grade: (typeof ORDER)[number] }[];
}

/** Assess readings (FIWARE names: O2, cod, bod, NH4, PO4, pH) at a section; undefined when none maps onto GB 3838. */
export function sectionStatus(section: Section, readings: Record<string, number>): SectionStatus | undefined {
  const overall = assess(readings);
  if (!overall) return undefined;
  const target = ORDER.indexOf(section.targetClass);
  const exceeding: SectionStatus['exceeding'] = [];
  for (const [metric, value] of Object.entries(readings)) {
    const one = assess({ [metric]: value });
    if (one && ORDER.indexOf(one.grade) > target) exceeding.push({ metric, value, grade: one.grade });
  }
  return {
    sectionId: section.id,
    target: section.targetClass,
    grade: overall.grade,
    outOfStandard: ORDER.indexOf(overall.grade) > target,
    exceeding,
  };
}
