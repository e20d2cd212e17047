import type { IClientOptions, MqttClient } from 'mqtt';
import type { IngressOptions } from './ingress.types.ts';
import { sharedFilter } from './topics.ts';

/** mqtt.js options for an ingress: a persistent session, and for MQTT 5 its expiry and receive maximum. */
export function clientOptions(options: IngressOptions, maxInFlight: number): IClientOptions {
  const v5 = options.protocolVersion === 5;
  return {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    // A persistent session is what keeps QoS 1 messages for us while we are down.
    clean: false,
    protocolVersion: options.protocolVersion ?? 4,
    reconnectPeriod: options.reconnectPeriodMs ?? 1_000,
    connectTimeout: 10_000,
    keepalive: 30,
    resubscribe: true,
    ...(v5
      ? {
          properties: {
            sessionExpiryInterval: options.sessionExpirySeconds ?? 7 * 24 * 3600,
            // Tells the broker not to send more unacknowledged QoS 1 messages than we handle at once.
            receiveMaximum: Math.min(maxInFlight, 65_535),
          },
        }
      : {}),
  };
}

/** Resolves on the first CONNACK, rejects (and stops retrying) on the first error before it. */
export function firstConnect(client: MqttClient): Promise<void> {
  // Fail fast at start (wrong URL, bad credentials); reconnection is for connections once made.
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      client.off('connect', onConnect);
      client.end(true);
      reject(error);
    };
    const onConnect = () => {
      client.off('error', onError);
      resolve();
    };
    client.once('error', onError);
    client.once('connect', onConnect);
  });
}

/** Subscribes to the ingress topics (as shared subscriptions with a share group); throws if the broker refuses any. */
export async function subscribe(client: MqttClient, options: IngressOptions): Promise<void> {
  const filters = options.topics.map((t) => (options.shareGroup ? sharedFilter(options.shareGroup, t) : t));
  // mqtt.js rejects when any filter is refused (granted qos 128); name the filters so the cause is plain.
  const granted = await client.subscribeAsync(filters, { qos: options.qos }).catch((error: Error) => error);
  if (granted instanceof Error || granted.some((g) => g.qos === 128)) {
    client.end(true);
    throw new Error(`broker refused subscription to ${filters.join(', ')}`, {
      cause: granted instanceof Error ? granted : undefined,
    });
  }
}
