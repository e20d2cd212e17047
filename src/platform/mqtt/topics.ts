/** Root of every citybrain topic; the version segment lets a v2 payload live beside v1 during a migration. */
export const TOPIC_ROOT = 'citybrain/v1';

/** Filter matching every device's observation topic (what the ingest role subscribes to). */
export const OBSERVATIONS_FILTER = `${TOPIC_ROOT}/devices/+/observations`;

/** The topic a device publishes its observations to: `citybrain/v1/devices/{deviceId}/observations`. */
export function observationTopic(deviceId: string): string {
  if (!isTopicLevel(deviceId)) throw new Error(`device id '${deviceId}' cannot be an MQTT topic level`);
  return `${TOPIC_ROOT}/devices/${deviceId}/observations`;
}

/** The device id in an observation topic, or null when the topic is not one. */
export function parseObservationTopic(topic: string): string | null {
  const prefix = `${TOPIC_ROOT}/devices/`;
  const suffix = '/observations';
  if (!topic.startsWith(prefix) || !topic.endsWith(suffix)) return null;
  const deviceId = topic.slice(prefix.length, topic.length - suffix.length);
  return isTopicLevel(deviceId) ? deviceId : null;
}

/** Prefixes a topic filter with `$share/{group}/` so brokers split its messages across the group's members. */
export function sharedFilter(group: string, filter: string): string {
  if (!isTopicLevel(group)) throw new Error(`share group '${group}' cannot be an MQTT topic level`);
  return `$share/${group}/${filter}`;
}

// One non-empty level without wildcards or separators: anything else would let an id
// address (or subscribe to) more topics than its own.
function isTopicLevel(s: string): boolean {
  return s.length > 0 && !s.includes('\0') && !/[/+#]/.test(s);
}

/** Publish policy for devices: each may publish only to its own observation topic (client id = device id). */
export function ownObservationsOnly(client: { clientId: string }, topic: string): boolean {
  return parseObservationTopic(topic) === client.clientId;
}
