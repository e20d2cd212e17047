import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type { ChannelListener, Unlisten } from '../../platform/db/notifications.ts';

/** The NOTIFY channel on which catalogue and list changes reach every process (after commit). */
export const CHANGES_CHANNEL = 'datahub_changes';

/** A change other processes' caches must drop: the list moved on, or resources were (re)registered (`ids` omitted: all of them). */
export type DatahubChange = { kind: 'list' } | { kind: 'resources'; ids?: string[] };

/** NOTIFY's payload limit is 8,000 bytes: a larger registration is announced as "all resources". */
const MAX_PAYLOAD = 7_000;

/** Announces a change inside the transaction that makes it: PostgreSQL delivers it when (and only if) that commits. */
export async function announce(trx: Db, change: DatahubChange): Promise<void> {
  let payload = JSON.stringify(change);
  if (payload.length > MAX_PAYLOAD) payload = JSON.stringify({ kind: 'resources' });
  await sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`.execute(trx);
}

/** Where the caches hear changes: the database's LISTEN (`Database.listen`). */
export interface ChangeSource {
  listen(channel: string, listener: ChannelListener): Promise<Unlisten>;
}

/** What a heard change invalidates. */
export interface ChangeTargets {
  resources(ids?: string[]): void;
  list(): void;
}

/**
 * Listens for datahub changes and drops what they make stale. A dropped connection may lose
 * messages: everything is dropped when it goes down and again when it is back; meanwhile the
 * caches' TTL bounds how stale an entry can be.
 */
export async function listenForChanges(source: ChangeSource, targets: ChangeTargets): Promise<Unlisten> {
  const all = () => {
    targets.resources();
    targets.list();
  };
  return source.listen(CHANGES_CHANNEL, {
    message(payload) {
      const change = parse(payload);
      if (!change) return all();
      if (change.kind === 'list') targets.list();
      else targets.resources(change.ids);
    },
    state: all,
  });
}

function parse(payload: string): DatahubChange | undefined {
  try {
    const value = JSON.parse(payload) as DatahubChange;
    if (value.kind === 'list') return value;
    if (value.kind === 'resources' && (value.ids === undefined || Array.isArray(value.ids))) return value;
  } catch {
    // an unreadable change: drop everything
  }
  return undefined;
}
