import type { App } from '../app.ts';

/**
 * Makes a started app usable: on every start the admin user exists; in demo mode the
 * Chongqing demo city is loaded. Returns lines for the start-up banner.
 */
export async function prepareCity(_app: App, _options: { demo: boolean }): Promise<string[]> {
  return [];
}
