/**
 * Size figures of the source tree, for a before/after comparison of a restructuring: the largest
 * source files and the longest functions (tests, test helpers, data and generated code left out).
 * Usage: node scripts/code-figures.ts [ROOT] [--top N]   (ROOT: a checkout, default this one)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { parseAst } from 'rolldown/parseAst';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 5;
const root = resolve(args.find((a, i) => !a.startsWith('--') && i !== topAt + 1) ?? '.');

const skipped = (path: string) =>
  /\.(test|testing|fixture|fixtures|data)\.tsx?$/.test(path) ||
  path.endsWith('.d.ts') ||
  /(^|\/)data\//.test(path);

const files = ['src', 'web/src']
  .flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map(
      (name) => `${dir}/${name.split(sep).join('/')}`,
    ),
  )
  .filter((path) => /\.tsx?$/.test(path) && !skipped(path));

interface Node {
  type: string;
  start: number;
  end: number;
  body?: unknown;
  id?: { name?: string } | null;
  key?: { name?: string } | null;
  [key: string]: unknown;
}

/** Line number (0-based) of a character offset. */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
}

const sizes: { path: string; lines: number }[] = [];
const functions: { name: string; lines: number }[] = [];
for (const path of files) {
  const text = readFileSync(join(root, path), 'utf8');
  sizes.push({ path, lines: text.split('\n').length });
  // Vite's own parser (oxc, through rolldown): ESTree nodes with start/end offsets.
  const ast = parseAst(text, { lang: path.endsWith('x') ? 'tsx' : 'ts' }) as unknown as Node;
  const lineAt = lineIndex(text);
  const visit = (node: Node, owner: string, name: string): void => {
    if (/Function/.test(node.type) && node.body) {
      const label = node.id?.name ?? name;
      if (label)
        functions.push({
          name: `${path}: ${owner}${label}`,
          lines: lineAt(node.end) - lineAt(node.start) + 1,
        });
    }
    const scope = node.type === 'ClassDeclaration' && node.id?.name ? `${node.id.name}.` : owner;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'parent') continue;
      const childName =
        node.type === 'VariableDeclarator' ||
        node.type === 'MethodDefinition' ||
        node.type === 'Property' ||
        node.type === 'PropertyDefinition'
          ? (node.id?.name ?? node.key?.name ?? '')
          : '';
      for (const child of Array.isArray(value) ? value : [value])
        if (child && typeof child === 'object' && typeof (child as Node).type === 'string')
          visit(child as Node, scope, childName);
    }
  };
  visit(ast, '', '');
}

sizes.sort((a, b) => b.lines - a.lines);
functions.sort((a, b) => b.lines - a.lines);
console.log(`${root}: ${files.length} source files, ${sizes.reduce((s, f) => s + f.lines, 0)} lines`);
console.log(`files over 500 lines: ${sizes.filter((f) => f.lines > 500).length}`);
console.log('largest files:');
for (const f of sizes.slice(0, top)) console.log(`  ${String(f.lines).padStart(5)}  ${f.path}`);
console.log(`functions over 80 lines: ${functions.filter((f) => f.lines > 80).length}`);
console.log('longest functions:');
for (const f of functions.slice(0, top)) console.log(`  ${String(f.lines).padStart(5)}  ${f.name}`);
