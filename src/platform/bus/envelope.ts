import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { DeadLetterReason, Envelope, PublishOptions } from './bus.types.ts';
import type { SubjectMap } from './subjects.ts';

/**
 * Builds the envelope for a publish, validating the payload: a bad payload here is a
 * programmer error, so it throws (AppError invalid_data) and nothing is sent.
 */
export function makeEnvelope(
  subjects: SubjectMap,
  subject: string,
  payload: unknown,
  options: PublishOptions,
  now: () => Date,
): Envelope {
  const schema = subjects[subject];
  if (!schema) throw new AppError('invalid_data', `unknown bus subject '${subject}'`, { subject });
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new AppError('invalid_data', `invalid payload for '${subject}'`, {
      subject,
      issues: parsed.error.issues,
    });
  }
  const envelope: { -readonly [K in keyof Envelope]: Envelope[K] } = {
    id: options.id ?? randomUUID(),
    subject,
    occurredAt: (options.occurredAt ?? now()).toISOString(),
    payload: parsed.data,
  };
  if (options.key !== undefined) envelope.key = options.key;
  return envelope;
}

/** The outcome of checking a message that arrived from the wire. */
export type Decoded =
  | { ok: true; envelope: Envelope }
  | { ok: false; reason: DeadLetterReason; error: string };

/**
 * Checks a received body (already JSON-parsed) against the envelope shape and the subject's
 * schema. Never throws: a bad message from the wire is dead-lettered, not a crash.
 */
export function decodeEnvelope(subjects: SubjectMap, body: unknown, wireSubject: string): Decoded {
  if (typeof body !== 'object' || body === null) return invalid('body is not an object');
  const e = body as Record<string, unknown>;
  if (typeof e.id !== 'string' || e.id === '') return invalid('missing id');
  if (typeof e.subject !== 'string') return invalid('missing subject');
  if (typeof e.occurredAt !== 'string') return invalid('missing occurredAt');
  if (e.key !== undefined && typeof e.key !== 'string') return invalid('key is not a string');
  // A body whose envelope names another subject than the one it travelled on is forged or misrouted.
  if (e.subject !== wireSubject)
    return invalid(`envelope subject '${e.subject}' ≠ wire subject '${wireSubject}'`);
  const schema = subjects[e.subject];
  if (!schema) return { ok: false, reason: 'unknown_subject', error: `no schema for '${e.subject}'` };
  const parsed = schema.safeParse(e.payload);
  if (!parsed.success)
    return invalid(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const envelope: Envelope = { id: e.id, subject: e.subject, occurredAt: e.occurredAt, payload: parsed.data };
  return { ok: true, envelope: e.key === undefined ? envelope : { ...envelope, key: e.key } };
}

function invalid(error: string): Decoded {
  return { ok: false, reason: 'invalid_message', error };
}
