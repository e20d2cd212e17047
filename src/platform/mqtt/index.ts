// The MQTT layer's public surface: the embedded broker, the ingress client and the topic layout.
export type {
  Authenticate,
  AuthorizeTopic,
  BrokerClient,
  EmbeddedBroker,
  EmbeddedBrokerOptions,
} from './broker.ts';
export { startEmbeddedBroker } from './broker.ts';
export type { Ingress, IngressOptions, IngressStats } from './ingress.ts';
export { connectIngress } from './ingress.ts';
export {
  OBSERVATIONS_FILTER,
  observationTopic,
  ownObservationsOnly,
  parseObservationTopic,
  sharedFilter,
  TOPIC_ROOT,
} from './topics.ts';
