// `--smoke`: every bench runs its own code path at tiny sizes so that scripts/bench-smoke.sh (CI)
// can run them all in a few minutes and a bench that no longer starts or crashes is caught.

/** True when the bench was started with `--smoke`. */
export const SMOKE = process.argv.includes('--smoke');

/** The bench's own arguments (after the script), without `--smoke`. */
export const ARGS = process.argv.slice(2).filter((a) => a !== '--smoke');

/** `full` for a measuring run, `smoke` under `--smoke`. */
export function size<T>(full: T, smoke: T): T {
  return SMOKE ? smoke : full;
}

/** The value after `--name` in the arguments, if given. */
export function option(name: string): string | undefined {
  const i = ARGS.indexOf(`--${name}`);
  return i >= 0 ? ARGS[i + 1] : undefined;
}

/** Printed first under `--smoke`, so a smoke figure is never mistaken for a measurement. */
export function smokeBanner(): void {
  if (SMOKE) console.log('(smoke run: tiny sizes, the figures below are not measurements)');
}
