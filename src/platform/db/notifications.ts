import pg from 'pg';

/** What a listener on a channel is told: each payload, and whether it is listening (a drop may lose messages). */
export interface ChannelListener {
  /** One NOTIFY payload, delivered after the notifying transaction committed. */
  message(payload: string): void;
  /** `true` once listening (again: anything sent while it was not is lost), `false` when the connection dropped. */
  state?(live: boolean): void;
}

/** Stops listening. */
export type Unlisten = () => Promise<void>;

/** Channel names are SQL identifiers spelled into `LISTEN`: lower-case letters, digits and `_`. */
export function checkChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid channel name '${channel}'`);
  return channel;
}

/**
 * LISTEN on PostgreSQL over a dedicated connection (a pooled client changes hands, and LISTEN
 * belongs to a session), reconnecting every `retryMs` after a drop until stopped.
 */
export async function listenPostgres(
  url: string,
  channel: string,
  listener: ChannelListener,
  retryMs = 1000,
): Promise<Unlisten> {
  checkChannel(channel);
  let stopped = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => {}); // the 'end' that follows reconnects
    c.on('notification', (n) => {
      if (n.channel === channel) listener.message(n.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (error) {
      await c.end().catch(() => {});
      throw error;
    }
    if (stopped) return void (await c.end());
    client = c;
    c.once('end', () => {
      client = undefined;
      if (stopped) return;
      listener.state?.(false);
      retry();
    });
    listener.state?.(true);
  };
  const retry = () => {
    timer = setTimeout(() => connect().catch(retry), retryMs);
    timer.unref();
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await client?.end().catch(() => {});
  };
}
