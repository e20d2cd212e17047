import path from 'node:path';

/** The demo city's 17,000 devices (see demo/generate-devices.ts), for `devices.import(admin, 'csv', text)`. */
export const DEMO_DEVICES_CSV = path.resolve(import.meta.dirname, '../../../data/sensing/demo-devices.csv');
