import pino, { type Logger } from 'pino';

export type { Logger };

/** Creates the process logger; JSON lines on stdout, one field per fact. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'citybrain' } });
}
