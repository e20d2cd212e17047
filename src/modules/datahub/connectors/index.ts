/** Connectors to departments' source systems: the plug-in interface, the circuit breaker and one implementation per kind of source. */
export { AmqpConnector, type AmqpConnectorOptions, type AmqpQueueResource } from './amqp.connector.ts';
export { type BreakerOptions, CircuitBreaker, type FailureHook, failureReason, guard } from './breaker.ts';
export {
  buildSelect,
  type Connector,
  checkQuery,
  codePrefix,
  type FieldType,
  type Filter,
  MAX_LIMIT,
  matches,
  nextCode,
  type QueryResult,
  type Scalar,
  type SourceField,
  type SourceHealth,
  type SourceResource,
  type SqlDialect,
} from './connector.ts';
export { CsvConnector, type CsvConnectorOptions } from './csv.connector.ts';
export { ExcelConnector, type ExcelConnectorOptions } from './excel.connector.ts';
export { MariaDbConnector, type MariaDbConnectorOptions, mariaFieldType } from './mariadb.connector.ts';
export {
  PLATFORM_RESOURCES,
  PlatformConnector,
  type PlatformQuery,
  type PlatformReader,
  type PlatformReadModels,
} from './platform.connector.ts';
export {
  dbRunner,
  PostgresConnector,
  type PostgresConnectorOptions,
  pgFieldType,
  pgPoolRunner,
  type SqlRunner,
} from './postgres.connector.ts';
export { RestConnector, type RestConnectorOptions } from './rest.connector.ts';
