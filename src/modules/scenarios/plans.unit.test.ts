/** Response plans' pure part: filling templates and choosing their tasks, no database. */
import { describe, expect, it } from 'vitest';
import type { PlanTemplate } from './plans.schema.ts';
import { fill, generateTasks, loadPlanTemplates } from './plans.service.ts';

describe('fill', () => {
  it.each<[string, string, Record<string, string | number | boolean | null | undefined>, string]>([
    ['a number', '警力 {officers} 人', { officers: 12 }, '警力 12 人'],
    ['a string', '限流车站 {stations}', { stations: '较场口站' }, '限流车站 较场口站'],
    ['several and repeated', '{a}+{b}={a}{b}', { a: 1, b: 2 }, '1+2=12'],
    ['zero stays zero', '{n} 家', { n: 0 }, '0 家'],
    ['false stays false', '{flag}', { flag: false }, 'false'],
    ['missing shows as —', '预测 {horizon} 分钟', {}, '预测 — 分钟'],
    ['null shows as —', '{x}', { x: null }, '—'],
    ['undefined shows as —', '{x}', { x: undefined }, '—'],
    ['empty string shows as —', '{x}', { x: '' }, '—'],
    ['no placeholders', '无参数', { x: 1 }, '无参数'],
    ['underscores and digits in names', '{max_density2}', { max_density2: 4.5 }, '4.5'],
    ['not a name: left as written', '{a-b} { a } {}', { 'a-b': 1, a: 2 }, '{a-b} { a } {}'],
    ['a value holding braces is not filled again', '{a}', { a: '{b}', b: 'no' }, '{b}'],
  ])('%s', (_, text, params, expected) => {
    expect(fill(text, params)).toBe(expected);
  });
});

const template: PlanTemplate = {
  key: 'test.plan',
  version: 1,
  scenario: 'water',
  name: '测试预案',
  category: 'water_pollution',
  targetMinutes: 60,
  supersedesRouting: true,
  notifyCentres: ['street'],
  summary: '{river} 超标',
  tasks: [
    {
      key: 'sample',
      departmentType: 'ecology_environment',
      level: 'district',
      skill: 'sampling',
      title: '采样 {river}',
      instructions: '在 {river} 下游 {distanceKm} 公里处采样',
      acceptMinutes: 5,
      dueMinutes: 60,
    },
    {
      key: 'dilute',
      departmentType: 'water_resources',
      level: 'city',
      skill: 'reservoir',
      title: '稀释放水',
      instructions: '开闸放水 {releaseM3s} m³/s',
      acceptMinutes: 10,
      dueMinutes: 90,
      when: 'releaseM3s',
    },
    {
      key: 'warn',
      departmentType: 'water_supply',
      level: 'street',
      skill: 'intake_closure',
      title: '取水口预警',
      instructions: '关闭取水口 {intake}',
      acceptMinutes: 5,
      dueMinutes: 30,
      when: 'intakeAtRisk',
    },
  ],
};

describe('generateTasks', () => {
  it.each<[string, Record<string, string | number | boolean | null | undefined>, string[]]>([
    ['every condition met', { releaseM3s: 80, intakeAtRisk: true }, ['sample', 'dilute', 'warn']],
    ['no conditional parameter', {}, ['sample']],
    ['zero is not a release', { releaseM3s: 0, intakeAtRisk: true }, ['sample', 'warn']],
    ['false is not a risk', { releaseM3s: 80, intakeAtRisk: false }, ['sample', 'dilute']],
    ['empty string is absent', { releaseM3s: '', intakeAtRisk: '' }, ['sample']],
    ['null is absent', { releaseM3s: null }, ['sample']],
    ['a non-empty string counts', { intakeAtRisk: 'yes' }, ['sample', 'warn']],
  ])('keeps the unconditional tasks and those whose condition holds: %s', (_, params, keys) => {
    expect(generateTasks(template, params).map((t) => t.key)).toEqual(keys);
  });

  it('fills title and instructions, keeps everything else of the task as written', () => {
    const [sample, dilute] = generateTasks(template, { river: '嘉陵江', distanceKm: 2.5, releaseM3s: 80 });
    expect(sample).toEqual({
      ...template.tasks[0],
      title: '采样 嘉陵江',
      instructions: '在 嘉陵江 下游 2.5 公里处采样',
    });
    expect(dilute).toMatchObject({
      key: 'dilute',
      level: 'city',
      dueMinutes: 90,
      instructions: '开闸放水 80 m³/s',
    });
  });

  it('leaves the template untouched', () => {
    const before = structuredClone(template);
    generateTasks(template, { river: '长江', releaseM3s: 1, intakeAtRisk: true });
    expect(template).toEqual(before);
  });

  it('fills every placeholder of the shipped templates, even with no parameters at all', () => {
    const shipped = loadPlanTemplates();
    expect(shipped.map((t) => t.key).sort()).toEqual([
      'crowd.dispersal',
      'traffic.congestion',
      'water.do-low',
      'water.spill',
    ]);
    for (const t of shipped) {
      const tasks = generateTasks(t, {});
      expect(tasks.length, t.key).toBeGreaterThan(0);
      for (const task of tasks)
        expect(`${task.title} ${task.instructions}`, `${t.key}/${task.key}`).not.toMatch(/\{\w+\}/);
      expect(fill(t.summary, {}), t.key).not.toMatch(/\{\w+\}/);
    }
  });
});
