/**
 * Architecture rules checked on the source text, no database: no import circles (type-only
 * imports included), modules meet only through their index.ts, src/platform imports no module,
 * no source file over 500 lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

/** Every source file under `dir` (relative to the repo, `/`-separated), tests left out unless asked. */
function sourceFiles(dir: string, withTests = false): string[] {
  const files = readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .map((name) => `${dir}/${name.split(sep).join('/')}`)
    .filter((path) => /\.tsx?$/.test(path) && !path.endsWith('.d.ts'));
  return withTests ? files : files.filter((path) => !/\.test\.tsx?$/.test(path));
}

// Imports are statements at the start of a line: `import x from`, `import type { X } from`,
// `export { x } from`, `export * from`, and side-effect `import './x.ts'`. The clause between
// the keyword and `from` holds only names, braces, commas, `*` and whitespace, so `export const`
// lines and strings never match.
const importFrom = /^[ \t]*(?:import|export)\s+(?:type\s+)?[\w$*{},\s]*?\s*from\s*['"]([^'"]+)['"]/gm;
const sideEffect = /^[ \t]*import\s*['"]([^'"]+)['"]/gm;

/** The repo-relative files `file` imports through relative specifiers that resolve to a source file. */
function importsOf(file: string, known: Set<string>): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(importFrom), ...text.matchAll(sideEffect)].map((m) => m[1] ?? '');
  const found = new Set<string>();
  for (const specifier of specifiers) {
    if (!specifier.startsWith('.')) continue;
    const base = relative(root, resolve(root, dirname(file), specifier.split('?')[0] ?? ''))
      .split(sep)
      .join('/');
    const target = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`].find((c) =>
      known.has(c),
    );
    if (target) found.add(target);
  }
  return [...found];
}

/** The import graph of `files`: each file with the source files it imports. */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(files.map((file) => [file, importsOf(file, known)]));
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function importCircles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) circles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return circles;
}

/** One readable line per circle: the files of the component, and one concrete path around it. */
function describeCircle(component: string[], graph: Map<string, string[]>): string {
  const members = new Set(component);
  const start = component[0] ?? '';
  // Breadth-first from start back to start inside the component gives the shortest loop.
  const previous = new Map<string, string>();
  const queue = [start];
  let loop: string[] = [start];
  search: while (queue.length > 0) {
    const file = queue.shift() ?? '';
    for (const target of graph.get(file) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(previous.get(path[0] ?? '') ?? start);
        loop = [...path, start];
        break search;
      }
      if (!previous.has(target)) {
        previous.set(target, file);
        queue.push(target);
      }
    }
  }
  return `${component.length} files, e.g. ${loop.join(' → ')}\n    all: ${component.join(', ')}`;
}

/** Longest source file allowed (conventions §11: most under ~200 lines, split past ~400). */
const MAX_LINES = 500;

/**
 * Files the length rule leaves alone: tests and test helpers (`*.test.ts(x)`, `*.testing.ts`,
 * `*.fixture(s).ts`), data (`*.data.ts`, anything under a `data/` folder) and generated code
 * (`*.d.ts`, such as the web's OpenAPI types in web/src/api/schema.d.ts).
 */
function exemptFromLength(file: string): boolean {
  return (
    /\.test\.tsx?$/.test(file) ||
    /\.(testing|fixtures?)\.ts$/.test(file) ||
    /\.data\.ts$/.test(file) ||
    /(^|\/)data\//.test(file) ||
    file.endsWith('.d.ts')
  );
}

const isTest = (file: string): boolean => /\.test\.tsx?$/.test(file);
const isTestHelper = (file: string): boolean => /\.(fixtures?|testing)\.ts$/.test(file);
const moduleOf = (file: string): string | undefined => /^src\/modules\/([^/]+)\//.exec(file)?.[1];

describe('architecture', () => {
  it('has no import circles in src/ (type-only imports included)', () => {
    const graph = importGraph(sourceFiles('src'));
    const circles = importCircles(graph).map((c) => describeCircle(c, graph));
    expect(circles, `import circles:\n  ${circles.join('\n  ')}`).toEqual([]);
  });

  it('has no import circles in web/src/', () => {
    const graph = importGraph(sourceFiles('web/src'));
    const circles = importCircles(graph).map((c) => describeCircle(c, graph));
    expect(circles, `import circles:\n  ${circles.join('\n  ')}`).toEqual([]);
  });

  it('lets a module import another module only through its index.ts', () => {
    const graph = importGraph(sourceFiles('src', true));
    const breaches: string[] = [];
    for (const [file, targets] of graph) {
      const from = moduleOf(file);
      for (const target of targets) {
        const to = moduleOf(target);
        if (!from || !to || from === to || target === `src/modules/${to}/index.ts`) continue;
        // Tests may borrow another module's test helpers (seeded fixtures), nothing else.
        if (isTest(file) && isTestHelper(target)) continue;
        breaches.push(`${file} → ${target}`);
      }
    }
    expect(breaches).toEqual([]);
  });

  it('keeps src/platform free of imports from modules and the composition root', () => {
    // Tests under src/platform may boot the whole app (the HTTP fuzz test does); the code may not.
    const graph = importGraph(sourceFiles('src'));
    const breaches: string[] = [];
    for (const [file, targets] of graph) {
      if (!file.startsWith('src/platform/')) continue;
      for (const target of targets) {
        if (!target.startsWith('src/platform/')) breaches.push(`${file} → ${target}`);
      }
    }
    expect(breaches).toEqual([]);
  });

  it('keeps modules from importing the composition root, the demo, wiring or workflows', () => {
    // Those import the modules; a module reaching back is the circle scenarios/demo.ts once made.
    // Test helpers (`*.testing.ts`, fixtures) may boot the whole app.
    const graph = importGraph(sourceFiles('src'));
    const breaches: string[] = [];
    for (const [file, targets] of graph) {
      if (!moduleOf(file) || isTestHelper(file)) continue;
      for (const target of targets) {
        if (!/^src\/(modules|platform)\//.test(target)) breaches.push(`${file} → ${target}`);
      }
    }
    expect(breaches).toEqual([]);
  });

  it('spells the operator roles out only in src/platform/roles.ts (ROLE_GROUPS), server and web', () => {
    // Generated OpenAPI types list the enum; anything else names ROLE_GROUPS.operators.
    const copies = [...sourceFiles('src'), ...sourceFiles('web/src')].filter(
      (file) =>
        file !== 'src/platform/roles.ts' &&
        !file.endsWith('schema.d.ts') &&
        /'city_operator',\s*'district_operator',\s*'street_operator'/.test(
          readFileSync(join(root, file), 'utf8'),
        ),
    );
    expect(copies).toEqual([]);
  });

  it('keeps every source file at 500 lines or fewer (tests, test helpers, data and generated code aside)', () => {
    const files = ['src', 'web/src', 'web/scripts', 'web/build', 'scripts', 'bench'].flatMap((dir) =>
      sourceFiles(dir, true),
    );
    const long = files
      .filter((file) => !exemptFromLength(file))
      .map((file) => ({ file, lines: readFileSync(join(root, file), 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file} (${f.lines} lines)`);
    expect(long, `files over ${MAX_LINES} lines (split them by use case):\n  ${long.join('\n  ')}`).toEqual(
      [],
    );
  });

  it('exempts from the length rule exactly tests, test helpers, data and generated code', () => {
    expect(
      [
        'src/modules/events/events.service.test.ts',
        'src/wiring/reliability.e2e.test.ts',
        'web/src/cockpit/EventPage.test.tsx',
        'src/modules/open311/open311.testing.ts',
        'src/modules/events/events.fixture.ts',
        'src/modules/organisation/organisation.fixtures.ts',
        'src/modules/sensing/sensing.data.ts',
        'src/modules/water/demo-network.data.ts',
        'src/modules/sensing/data/stations.ts',
        'web/src/api/schema.d.ts',
      ].filter((f) => !exemptFromLength(f)),
    ).toEqual([]);
    expect(
      [
        'src/modules/events/events.service.ts',
        'src/modules/events/events.decide.ts',
        'web/src/map/CityMap.tsx',
        'web/src/api/client.ts',
        'src/modules/events/events.testingx.ts',
      ].filter(exemptFromLength),
    ).toEqual([]);
  });

  it('finds a circle when there is one (the checker itself)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', ['a']],
    ]);
    expect(importCircles(graph)).toEqual([['a', 'b', 'c'], ['d']]);
    expect(describeCircle(['a', 'b', 'c'], graph)).toContain('a → b → c → a');
  });
});
