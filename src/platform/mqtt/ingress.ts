import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { AckWindow } from './ack-window.ts';
import { clientOptions, firstConnect, subscribe } from './ingress.session.ts';
import type { IngressOptions } from './ingress.types.ts';

export type { IngressOptions } from './ingress.types.ts';

/** Counters since the ingress started. */
export interface IngressStats {
  received: number;
  handled: number;
  failed: number;
  acked: number;
  inFlight: number;
  connects: number;
}

/** A running ingress connection. */
export interface Ingress {
  stats(): IngressStats;
  /** Stops taking messages, waits (up to `drainMs`, default 10 s) for running handlers to finish and be acked, then disconnects. */
  close(options?: { drainMs?: number }): Promise<void>;
  client: MqttClient;
}

// Passed to mqtt.js's handleMessage callback to stop it sending its own PUBACK: it skips the
// ack on an error and carries on reading, and we ack ourselves once the handler is done.
const ACK_LATER = new Error('citybrain acks after handling');

/**
 * Connects to the broker with a persistent session and feeds each message to `onMessage`,
 * acknowledging a QoS 1 message only after its handler resolved. Reconnects by itself; a
 * throwing handler is logged and counted, and its message comes back after a reconnect.
 */
export async function connectIngress(options: IngressOptions): Promise<Ingress> {
  const { logger, onMessage } = options;
  const log = logger.child({ mqttClientId: options.clientId });
  const handlerTimeoutMs = options.handlerTimeoutMs ?? 30_000;
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 5_000;
  const maxInFlight = options.maxInFlight ?? 256;
  const counts = { received: 0, handled: 0, failed: 0, acked: 0, connects: 0 };
  let generation = 0;
  let closing = false;
  let redeliveryTimer: NodeJS.Timeout | undefined;

  const client = mqtt.connect(options.url, clientOptions(options, maxInFlight));
  const window = new AckWindow(maxInFlight, (messageId) => {
    if (!client.connected) return;
    // mqtt.js has no public ack call; _sendPacket is what its own QoS 1 handler uses.
    (client as unknown as { _sendPacket(packet: object): void })._sendPacket({ cmd: 'puback', messageId });
    counts.acked++;
  });

  const scheduleRedelivery = () => {
    if (redeliveryTimer || closing) return;
    redeliveryTimer = setTimeout(() => {
      redeliveryTimer = undefined;
      log.warn({ unacked: window.unacked }, 'reconnecting so the broker redelivers unacknowledged messages');
      client.stream?.destroy();
    }, redeliveryDelayMs);
  };

  // The outcome that decides the ack: onMessage's, or a failure once it has run too long.
  const outcome = async (run: Promise<void>, topic: string): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`handler still running after ${handlerTimeoutMs} ms`)),
        handlerTimeoutMs,
      );
    });
    try {
      await Promise.race([run, timeout]);
      counts.handled++;
      return true;
    } catch (error) {
      counts.failed++;
      log.error({ err: error, topic }, 'mqtt message handler failed; message left unacknowledged');
      scheduleRedelivery();
      return false;
    } finally {
      clearTimeout(timer);
    }
  };

  client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
    const connection = generation;
    const needsAck = packet.qos === 1;
    window.whenFree(() => {
      // Not handled and not acked: a persistent session gets it again on the next connection.
      if (closing || connection !== generation) return callback(ACK_LATER);
      counts.received++;
      const ticket = window.begin(needsAck ? packet.messageId : undefined);
      // packet.topic is never an alias here: we advertise no topic alias maximum.
      const run = Promise.resolve().then(() => onMessage(packet.topic, packet.payload as Buffer));
      // The slot stays taken until onMessage itself settles, even past its timeout.
      run.catch(() => {}).finally(ticket.release);
      outcome(run, packet.topic).then(ticket.settle);
      callback(needsAck ? ACK_LATER : undefined);
    });
  };

  client.on('connect', (connack) => {
    counts.connects++;
    log.info({ sessionPresent: connack.sessionPresent }, 'mqtt ingress connected');
  });
  client.on('close', () => {
    generation++;
    window.reset();
    clearTimeout(redeliveryTimer);
    redeliveryTimer = undefined;
  });
  client.on('reconnect', () => log.info('mqtt ingress reconnecting'));
  client.on('error', (error) => log.warn({ err: error }, 'mqtt ingress error'));

  await firstConnect(client);
  await subscribe(client, options);
  log.info({ topics: options.topics, shareGroup: options.shareGroup }, 'mqtt ingress subscribed');

  return {
    client,
    stats: () => ({ ...counts, inFlight: window.size }),
    async close({ drainMs = 10_000 } = {}) {
      closing = true;
      clearTimeout(redeliveryTimer);
      const deadline = Date.now() + drainMs;
      while (window.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await client.endAsync(window.size > 0);
    },
  };
}
