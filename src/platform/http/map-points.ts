import { z } from 'zod';

/** How many decimals of lon and lat a map-points route answers (devices, teams): 5 by default. */
export const PointDecimalsSchema = z.coerce
  .number()
  .int()
  .min(3)
  .max(5)
  .optional()
  .describe('decimals of lon and lat: 5 (about a metre) by default, 3 (about 100 m) for a whole-city view');

/** Rounds a coordinate to the decimals asked (5 when none). */
export function coordinateRounder(decimals: number | undefined): (x: number) => number {
  const scale = 10 ** (decimals ?? 5);
  return (x) => Math.round(x * scale) / scale;
}
