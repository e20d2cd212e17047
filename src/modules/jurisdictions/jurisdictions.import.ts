import { codeValue, type InputFeature, invalidData, type Problem } from './jurisdictions.geojson.ts';
import { bboxOf, labelPoint, polygonsOf } from './jurisdictions.geometry.ts';
import {
  type AreaGeometry,
  type ImportOptions,
  LEVELS,
  type Level,
  LevelSchema,
} from './jurisdictions.schema.ts';

/** A node as it is about to be written. */
export interface PlannedNode {
  code: string;
  name: string;
  nameEn: string | null;
  level: Level;
  parentCode: string | null;
  path: string;
  geometry: AreaGeometry;
  bbox: [number, number, number, number];
  label: [number, number];
  approximate: boolean;
  properties: Record<string, unknown>;
}

/** What the plan needs to know of a node already stored. */
export interface StoredKey {
  code: string;
  level: string;
  parentCode: string | null;
  path: string;
}

// Codes become path segments: no '/' and nothing a LIKE pattern or URL would trip on.
const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

/**
 * Turns validated features into the nodes to write, checking each against the file and the stored
 * tree: codes present and unique, levels known, parents found (stored, or earlier in the file)
 * one level up, no code changing level or parent. Throws invalid_data listing every problem.
 */
export function planImport(
  features: InputFeature[],
  options: ImportOptions,
  stored: Map<string, StoredKey>,
): PlannedNode[] {
  const problems: Problem[] = [];
  const planned = new Map<string, StoredKey & { index: number }>();
  const nodes: PlannedNode[] = [];
  for (const [index, feature] of features.entries()) {
    const props = feature.properties ?? {};
    const code = codeValue(props[options.codeProperty]);
    const fail = (problem: string) => problems.push({ feature: index, code, problem });
    if (code === null) {
      fail(`missing code (property '${options.codeProperty}')`);
      continue;
    }
    if (!CODE.test(code)) {
      fail(`code '${code}' must be 1-40 letters, digits, '.', '_' or '-'`);
      continue;
    }
    const level = levelOf(props, options);
    if (!level) {
      fail(`level must be one of ${LEVELS.join(', ')} (property '${options.levelProperty}')`);
      continue;
    }
    const name = props[options.nameProperty];
    if (typeof name !== 'string' || name.trim() === '')
      fail(`missing name (property '${options.nameProperty}')`);
    const twin = planned.get(code);
    if (twin) {
      fail(`duplicate code ${code}: feature ${twin.index} has it too`);
      continue;
    }
    const old = stored.get(code);
    if (old && old.level !== level) fail(`code ${code} already exists at level ${old.level}`);
    const parent = findParent(code, level, props, options, (c) => planned.get(c) ?? stored.get(c), fail);
    const path = parent ? `${parent.path}/${code}` : code;
    if (old && parent !== undefined && old.parentCode !== (parent?.code ?? null)) {
      fail(
        `moving ${code} from parent ${old.parentCode} to ${parent?.code} is not supported: records elsewhere carry its path`,
      );
    }
    planned.set(code, { code, level, parentCode: parent?.code ?? null, path, index });
    const polygons = polygonsOf(feature.geometry);
    nodes.push({
      code,
      name: String(name).trim(),
      nameEn: options.nameEnProperty ? optionalText(props[options.nameEnProperty]) : null,
      level,
      parentCode: parent?.code ?? null,
      path,
      geometry: feature.geometry,
      bbox: bboxOf(polygons),
      label: labelPoint(polygons),
      approximate:
        typeof props.approximate === 'boolean' ? props.approximate : (options.approximate ?? false),
      properties: extraProperties(props, options),
    });
  }
  if (problems.length) throw invalidData(problems);
  return nodes;
}

function levelOf(props: Record<string, unknown>, options: ImportOptions): Level | undefined {
  if (options.level !== 'auto') return options.level;
  return LevelSchema.safeParse(props[options.levelProperty]).data;
}

/**
 * The parent one level up: named by the parent property, or else the node whose code is the
 * longest prefix of this code (how adcodes nest: 500103001 → 500103 → 50). Undefined when it
 * cannot be found (the problem is reported); null for a root.
 */
function findParent(
  code: string,
  level: Level,
  props: Record<string, unknown>,
  options: ImportOptions,
  lookup: (code: string) => StoredKey | undefined,
  fail: (problem: string) => void,
): StoredKey | null | undefined {
  const depth = LEVELS.indexOf(level);
  const named = options.parentProperty ? codeValue(props[options.parentProperty]) : undefined;
  if (depth === 0) {
    if (named) fail(`a ${level} has no parent, but '${options.parentProperty}' is ${named}`);
    return null;
  }
  const above = LEVELS[depth - 1]!;
  let parent: StoredKey | undefined;
  if (named === null) return void fail(`missing parent (property '${options.parentProperty}')`);
  if (named !== undefined) {
    parent = lookup(named);
    if (!parent) return void fail(`parent ${named} is neither stored nor earlier in the file`);
  } else {
    for (let n = code.length - 1; n > 0 && !parent; n--) {
      const candidate = lookup(code.slice(0, n));
      if (candidate?.level === above) parent = candidate;
    }
    if (!parent)
      return void fail(`no ${above} whose code is a prefix of ${code} is stored or earlier in the file`);
  }
  if (parent.level !== above)
    return void fail(`a ${level}'s parent must be a ${above}, but ${parent.code} is a ${parent.level}`);
  return parent;
}

function optionalText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

// Properties the import did not consume are kept (e.g. a district's seat), for maps and later use.
function extraProperties(props: Record<string, unknown>, options: ImportOptions): Record<string, unknown> {
  const consumed = new Set<string>([options.codeProperty, options.nameProperty, 'approximate']);
  for (const key of [options.parentProperty, options.nameEnProperty]) if (key) consumed.add(key);
  if (options.level === 'auto') consumed.add(options.levelProperty);
  return Object.fromEntries(Object.entries(props).filter(([key]) => !consumed.has(key)));
}

/** Counts of an import, and the deepest path all its nodes lie under (so that subtree's auditors see it). */
export function summarise(nodes: PlannedNode[], stored: Map<string, StoredKey>) {
  const byLevel: Record<string, number> = {};
  let common = nodes[0]?.path.split('/') ?? [];
  for (const n of nodes) {
    byLevel[n.level] = (byLevel[n.level] ?? 0) + 1;
    const parts = n.path.split('/');
    let i = 0;
    while (i < common.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  const created = nodes.filter((n) => !stored.has(n.code)).length;
  return { count: nodes.length, created, updated: nodes.length - created, byLevel, path: common.join('/') };
}
