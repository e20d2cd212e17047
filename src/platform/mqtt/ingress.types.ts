import type { Logger } from '../logger.ts';

// Apart from ingress.ts so ingress.session.ts can read the options without importing ingress.ts back.
/** Options for an ingress connection (the platform's side of the device traffic). */
export interface IngressOptions {
  /** `mqtt://host:port` of the embedded broker or an external one (`CITYBRAIN_MQTT_URL`). */
  url: string;
  /** Stable per ingest process: the broker keeps this client's session (and its queued messages) by it. */
  clientId: string;
  username?: string;
  password?: string;
  /** Topic filters, e.g. `citybrain/v1/devices/+/observations`. */
  topics: string[];
  qos: 0 | 1;
  /** Subscribe as `$share/{shareGroup}/…` so several ingest processes split the messages. */
  shareGroup?: string;
  /** Resolve once the message is durably accepted; only then is it acknowledged. Throw to have it redelivered. */
  onMessage: (topic: string, payload: Buffer) => void | Promise<void>;
  logger: Logger;
  /** Messages handled at once (default 256); past it, reading from the broker pauses. */
  maxInFlight?: number;
  /** A handler still running after this long counts as failed and stays unacknowledged (default 30 s). */
  handlerTimeoutMs?: number;
  /** After a failure, reconnect this much later so the broker redelivers what is unacknowledged (default 5 s). */
  redeliveryDelayMs?: number;
  /** Between reconnection attempts (default 1 s). */
  reconnectPeriodMs?: number;
  /** 4 = MQTT 3.1.1 (default; all brokers incl. aedes), 5 = MQTT 5 (session expiry, receive maximum). */
  protocolVersion?: 4 | 5;
  /** MQTT 5 only: how long the broker keeps the session while we are away (default 7 days). */
  sessionExpirySeconds?: number;
}
