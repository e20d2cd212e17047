// biome-ignore lint/suspicious/noExplicitAny: JSON read back from the HTTP API, checked by the assertions
export type Json = any;

/** What a story needs from the outside world: HTTP as people, device messages, time, a display. */
export interface Driver {
  /** Calls the platform's HTTP API as a user (logged in on first use with the demo password). */
  call(
    method: 'GET' | 'POST',
    url: string,
    user?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Json }>;
  /** Whether a user can log in (demo staffing may not have them). */
  canLogin(user: string): Promise<boolean>;
  /** Publishes observations as a device (MQTT in the CLI, the ingest service in tests). */
  publish(deviceId: string, payloads: Record<string, unknown>[]): Promise<void>;
  /** Story time, epoch ms. */
  now(): number;
  /** Moves story time on (the test's ManualClock; a short real pause in the CLI). */
  advance(ms: number): Promise<void>;
  /** Lets background work happen (sensing timers, outbox relay) until the probe answers. */
  until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs?: number): Promise<T>;
  log(line: string): void;
}

/** A 1×1 PNG: the photo proof a field officer uploads. */
export const PROOF_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1e1f2b10000000049454e44ae426082',
  'hex',
);
