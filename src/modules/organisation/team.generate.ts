import { createHash } from 'node:crypto';
import { fillName } from './organisation.catalogue.ts';
import { departmentCode } from './organisation.generate.ts';
import type { OrgNode } from './organisation.schema.ts';
import type { TeamDto } from './team.schema.ts';
import type { DemoTeamPlan } from './team-kinds.ts';

/**
 * Demo field units for every node, per the staffing plan. Deterministic: each node's units come
 * from a PRNG keyed on the seed and the node's code, so adding a node changes no other node's units.
 * Base locations scatter around the node's label point; the current position starts at the base.
 */
export function demoTeams(nodes: OrgNode[], plan: DemoTeamPlan, seed: number, at: Date): TeamDto[] {
  const teams: TeamDto[] = [];
  for (const node of nodes) {
    const rand = mulberry32(seed ^ fnv1a(node.code));
    for (const p of plan.plans.filter((x) => x.level === node.level)) {
      const count = p.perNode[0] + Math.floor(rand() * (p.perNode[1] - p.perNode[0] + 1));
      for (let n = 1; n <= count; n++) {
        const code = `${node.code}:${p.kind}:${n}`;
        const lon = round6(
          node.point[0] + (gaussian(rand) * p.spreadDegrees) / Math.cos((node.point[1] * Math.PI) / 180),
        );
        const lat = round6(node.point[1] + gaussian(rand) * p.spreadDegrees);
        teams.push({
          id: stableUuid(code),
          code,
          name: fillName(p.nameZh, node.name, count > 1 ? n : undefined),
          kind: p.kind,
          departmentCode: departmentCode(node.code, p.departmentType),
          jurisdictionCode: node.code,
          jurisdictionPath: node.path,
          base: { lon, lat },
          skills: [...p.skills],
          onDuty: rand() < plan.onDutyShare,
          capacity: p.capacity,
          activeTasks: 0,
          position: { lon, lat, at: at.toISOString() },
          updatedAt: at.toISOString(),
        });
      }
    }
  }
  return teams;
}

/** A name-based UUID (version 5 layout over SHA-1), so the same code always gets the same id. */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(`citybrain:team:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Deterministic 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
