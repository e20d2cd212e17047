import { z } from 'zod';
import { defineSubjects, mergeSubjects } from './subjects.ts';

/** Subjects of a pretend alert module, for the bus's own tests. */
export const alertSubjects = defineSubjects({
  'test.alert.raised': z.object({ deviceId: z.string(), level: z.number().int().min(1).max(5) }),
  'test.alert.cleared': z.object({ deviceId: z.string(), at: z.coerce.date() }),
});

/** Subjects of a pretend counter module. */
export const tickSubjects = defineSubjects({
  'test.tick': z.object({ n: z.number().int() }),
});

/** The merged registry the bus tests run on. */
export const testSubjects = mergeSubjects(alertSubjects, tickSubjects);
