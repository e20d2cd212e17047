import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** One labelled complaint of the corpus (a line of complaints.v1.jsonl). */
export const LabelledComplaint = z.object({
  id: z.string().min(1),
  text: z.string().min(1),
  category: z.string().regex(/^[a-z_]+$/),
  split: z.enum(['train', 'test']),
  source: z.enum(['hand', 'template']).optional(),
});
/** One labelled complaint of the corpus (a line of complaints.v1.jsonl). */
export type LabelledComplaint = z.infer<typeof LabelledComplaint>;

/** The default corpus shipped with the module. */
export const DEFAULT_DATA_FILE = new URL('../../../data/classification/complaints.v1.jsonl', import.meta.url);

/** Reads and validates a JSONL corpus; throws naming the first bad line. */
export function loadDataset(file: string | URL = DEFAULT_DATA_FILE): LabelledComplaint[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: LabelledComplaint[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const parsed = LabelledComplaint.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${String(file)} line ${i + 1}: ${parsed.error.message}`);
    out.push(parsed.data);
  }
  return out;
}
