import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Principal } from '../../platform/access.ts';
import { AppError } from '../../platform/errors.ts';
import type { RegisterService } from './algorithms.register.ts';
import { AlgorithmKeySchema, RegisterFieldsSchema, SemverSchema } from './algorithms.schema.ts';

/** A register file (`data/algorithms/register.v1.json`): filings approved outside the platform. */
export const RegisterFileSchema = z.strictObject({
  format: z.literal('citybrain.algorithm-register/v1'),
  description: z.string().optional(),
  algorithms: z
    .array(
      z.strictObject({
        key: AlgorithmKeySchema,
        version: SemverSchema,
        status: z.enum(['approved', 'in_use']),
        register: RegisterFieldsSchema,
      }),
    )
    .min(1),
});
/** A register file. */
export type RegisterFile = z.infer<typeof RegisterFileSchema>;

/** Imports every filing of a register file that is not on the register yet; running it twice changes nothing. */
export async function loadRegisterFile(
  register: RegisterService,
  file: string,
  actor: Principal,
): Promise<{ imported: string[]; skipped: string[] }> {
  const parsed = RegisterFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    throw new AppError('invalid_data', `register file ${file} is invalid`, {
      issues: parsed.error.issues.slice(0, 20),
    });
  }
  const imported: string[] = [];
  const skipped: string[] = [];
  for (const entry of parsed.data.algorithms) {
    const done = await register.importVersion(actor, entry, path.basename(file));
    (done ? imported : skipped).push(`${entry.key}@${entry.version}`);
  }
  return { imported, skipped };
}
