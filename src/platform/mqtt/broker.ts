import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from '../logger.ts';
import { guardPacketSize } from './packet-guard.ts';

/** Who is publishing or subscribing, as the broker knows them after authentication. */
export interface BrokerClient {
  clientId: string;
  username?: string;
}

/** Checks a device's credentials at CONNECT; the sensing module supplies the real check. */
export type Authenticate = (clientId: string, username?: string, password?: string) => Promise<boolean>;

/** Decides whether an authenticated client may publish to (or subscribe to) a topic. */
export type AuthorizeTopic = (client: BrokerClient, topic: string) => boolean | Promise<boolean>;

/** Options for the embedded broker; every hook is optional and defaults to "allow". */
export interface EmbeddedBrokerOptions {
  /** Port to listen on (default 1883); when taken, a free port is used instead. 0 asks for any free port. */
  port?: number;
  /** Interface to bind (default 127.0.0.1: reachable from this machine only until configured otherwise). */
  host?: string;
  authenticate?: Authenticate;
  authorizePublish?: AuthorizeTopic;
  authorizeSubscribe?: AuthorizeTopic;
  /**
   * Takes in an authorised publish before the broker acknowledges it: the PUBACK (and delivery to
   * subscribers) waits until it resolves. A rejection closes the connection without a PUBACK
   * (MQTT 3.1.1 has no negative ack), so the device resends. Aedes acks a QoS 1 publish *before*
   * delivering it to subscribers, so this hook is the only place where "acknowledged" can mean "stored".
   */
  onPublish?: (client: BrokerClient, topic: string, payload: Buffer) => Promise<void>;
  /** A packet announcing more bytes than this closes its connection before it is read (default 256 KiB). */
  maxPacketBytes?: number;
  logger: Logger;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  /** The port actually listened on, which differs from `requestedPort` after a fallback. */
  port: number;
  requestedPort: number;
  host: string;
  /** `mqtt://host:port`, ready for `connectIngress` or a device simulator. */
  url: string;
  aedes: Aedes;
  /** Stops accepting, disconnects the clients, and after `graceMs` (default 2 s) destroys whatever connection is left. */
  close(options?: { graceMs?: number }): Promise<void>;
}

// CONNACK return codes of MQTT 3.1.1 (aedes only speaks 3.1/3.1.1).
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;

/**
 * Starts an Aedes broker for one-laptop mode. If the requested port is in use (say a system
 * Mosquitto holds 1883) it listens on a free port instead and logs that, so the caller can
 * point devices at `broker.port`.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { logger } = options;
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 1883;
  const aedes = await Aedes.createBroker(hooks(options));
  aedes.on('clientError', (client: Client, error: Error) =>
    logger.debug({ clientId: client.id, err: error.message }, 'mqtt client error'),
  );
  const maxPacketBytes = options.maxPacketBytes ?? 262_144;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    guardPacketSize(socket, maxPacketBytes, logger);
    aedes.handle(socket);
  });
  let port: number;
  try {
    port = await listen(server, requestedPort, host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
      aedes.close();
      throw error;
    }
    port = await listen(server, 0, host);
    logger.warn(
      { requestedPort, port },
      `MQTT port ${requestedPort} is in use; listening on ${port} instead`,
    );
  }
  logger.info({ host, port }, 'embedded MQTT broker listening');
  return {
    port,
    requestedPort,
    host,
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    aedes,
    close: ({ graceMs = 2000 } = {}) => closeBroker(server, aedes, sockets, graceMs),
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

async function closeBroker(
  server: Server,
  aedes: Aedes,
  sockets: Set<Socket>,
  graceMs: number,
): Promise<void> {
  // Stop accepting first, then let aedes disconnect its clients, which lets server.close finish.
  // A client whose publish is still being taken in (a hung commit) may hold aedes.close: past the
  // grace period its socket is destroyed, so shutdown never waits on a device or the database.
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([new Promise<void>((resolve) => aedes.close(() => resolve())), grace]);
  for (const socket of sockets) socket.destroy();
  await Promise.race([serverClosed, grace]);
  clearTimeout(timer);
}

/** Translates the promise-style hooks into aedes' callback hooks. */
function hooks(options: EmbeddedBrokerOptions) {
  const { logger } = options;
  // Who authenticated as whom, so the publish/subscribe hooks can see the username.
  const usernames = new WeakMap<Client, string>();
  const who = (client: Client): BrokerClient => {
    const username = usernames.get(client);
    return username === undefined ? { clientId: client.id } : { clientId: client.id, username };
  };
  return {
    authenticate(
      client: Client,
      username: string | undefined,
      password: Buffer | undefined,
      done: (error: AuthenticateError | null, success: boolean | null) => void,
    ) {
      const accept = () => {
        if (username !== undefined) usernames.set(client, username);
        done(null, true);
      };
      if (!options.authenticate) return accept();
      options.authenticate(client.id, username, password?.toString('utf8')).then(
        (ok) => {
          if (ok) return accept();
          logger.warn({ clientId: client.id, username }, 'mqtt client rejected: bad credentials');
          done(refusal('bad username or password', BAD_USERNAME_OR_PASSWORD), false);
        },
        (error: unknown) => {
          // A failing credential store must not let devices in, nor crash the broker.
          logger.error({ err: error, clientId: client.id }, 'mqtt authenticate hook failed');
          done(refusal('authentication unavailable', SERVER_UNAVAILABLE), false);
        },
      );
    },
    authorizePublish(
      client: Client | null,
      packet: { topic: string; payload: Buffer | string },
      done: (error?: Error | null) => void,
    ) {
      if (packet.topic.startsWith('$SYS/')) return done(new Error('$SYS topics are reserved'));
      // client is null for wills and broker-internal publishes, which were authorised when set.
      if (!client) return done(null);
      const { onPublish } = options;
      const take = !onPublish
        ? done
        : (refused?: Error | null) => {
            if (refused) return done(refused);
            const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
            Promise.resolve()
              .then(() => onPublish(who(client), packet.topic, payload))
              .then(
                () => done(null),
                (error: unknown) => {
                  logger.warn({ err: error, clientId: client.id }, 'mqtt publish not taken in; no PUBACK');
                  done(error instanceof Error ? error : new Error(String(error)));
                },
              );
          };
      if (!options.authorizePublish) return take(null);
      decide(options.authorizePublish, who(client), packet.topic, 'publish', logger, take);
    },
    authorizeSubscribe(
      client: Client,
      subscription: { topic: string; qos: 0 | 1 | 2 },
      done: (error: Error | null, subscription?: { topic: string; qos: 0 | 1 | 2 } | null) => void,
    ) {
      // Aedes has no shared subscriptions: refuse them loudly rather than subscribe to a literal
      // `$share/...` topic that never receives anything.
      if (subscription.topic.startsWith('$share/')) {
        logger.warn({ clientId: client.id, topic: subscription.topic }, 'shared subscriptions unsupported');
        return done(null, null);
      }
      if (!options.authorizeSubscribe) return done(null, subscription);
      decide(options.authorizeSubscribe, who(client), subscription.topic, 'subscribe', logger, (error) =>
        done(null, error ? null : subscription),
      );
    },
  };
}

function decide(
  hook: AuthorizeTopic,
  client: BrokerClient,
  topic: string,
  action: string,
  logger: Logger,
  done: (error?: Error | null) => void,
): void {
  Promise.resolve()
    .then(() => hook(client, topic))
    .then(
      (ok) => {
        if (ok) return done(null);
        logger.warn({ ...client, topic }, `mqtt ${action} refused`);
        done(new Error(`${action} to '${topic}' not allowed`));
      },
      (error: unknown) => {
        logger.error({ err: error, ...client, topic }, `mqtt authorize ${action} hook failed`);
        done(new Error(`${action} authorisation unavailable`));
      },
    );
}

function refusal(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}
