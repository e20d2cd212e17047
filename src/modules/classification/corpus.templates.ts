/** One category's templates: its own slots, generative templates and hand-written examples. */
export interface CategoryTemplates {
  category: string;
  count: number;
  slots: Record<string, string[]>;
  templates: string[];
  examples: string[];
}

/** The parsed template file: shared slots plus one block per category. */
export interface TemplateSet {
  shared: Record<string, string[]>;
  categories: CategoryTemplates[];
}

/** Parses data/classification/templates.v1.txt (format described in its header). */
export function parseTemplates(text: string): TemplateSet {
  const shared: Record<string, string[]> = {};
  const categories: CategoryTemplates[] = [];
  let current: CategoryTemplates | undefined;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || (line.startsWith('#') && !line.startsWith('## '))) continue;
    const fail = (why: string) => new Error(`templates line ${index + 1}: ${why}`);
    if (line.startsWith('@@')) {
      const [name, values] = splitSlot(line.slice(2));
      shared[name] = values;
    } else if (line.startsWith('## ')) {
      const [category, count] = line.slice(3).trim().split(/\s+/);
      if (!category || !count || !/^\d+$/.test(count)) throw fail('expected "## category count"');
      current = { category, count: Number(count), slots: {}, templates: [], examples: [] };
      categories.push(current);
    } else {
      if (!current) throw fail('line outside a category');
      if (line.startsWith('@')) {
        const [name, values] = splitSlot(line.slice(1));
        current.slots[name] = values;
      } else if (line.startsWith('>')) current.templates.push(line.slice(1).trim());
      else if (line.startsWith('!')) current.examples.push(line.slice(1).trim());
      else throw fail(`unexpected line "${line}"`);
    }
  }
  return { shared, categories };
}

function splitSlot(rest: string): [string, string[]] {
  const space = rest.indexOf(' ');
  if (space < 0) throw new Error(`slot without values: ${rest}`);
  return [rest.slice(0, space), rest.slice(space + 1).split('|')];
}
