/** Public surface of the datahub module: catalogue, negative list, the exchange gateway and the connectors it reads through. */
export { generateCatalogue, type OwnerDepartment } from './catalogue.generate.ts';
export { CatalogueService } from './catalogue.service.ts';
export {
  type Connector,
  CsvConnector,
  dbRunner,
  ExcelConnector,
  guard,
  MariaDbConnector,
  PlatformConnector,
  type PlatformQuery,
  type PlatformReadModels,
  PostgresConnector,
} from './connectors/index.ts';
export type { DatahubDeps, DepartmentDirectory } from './datahub.deps.ts';
export { type DatahubKpis, SharingKpis } from './datahub.kpis.ts';
export { datahubMigrations } from './datahub.migrations.ts';
export { createDatahub, type Datahub } from './datahub.module.ts';
export { registerDatahubRoutes } from './datahub.routes.ts';
export type { Decision, FieldClass, ListEntry, ResourceDto } from './datahub.schema.ts';
export { exchangeMigrations } from './exchange/index.ts';
export { ConnectorRegistry } from './gateway/connector.registry.ts';
export { type Consumer, ConsumerService } from './gateway/gateway.consumers.ts';
export type { GatewayDeps, KeyIssuer } from './gateway/gateway.deps.ts';
export { gatewayMigrations } from './gateway/gateway.migrations.ts';
export { registerGatewayRoutes } from './gateway/gateway.routes.ts';
export type { ApplicationDto, ExchangeResult, ExchangeScope } from './gateway/gateway.schema.ts';
export { scopeOf } from './gateway/gateway.scope.ts';
export { ExchangeGateway } from './gateway/gateway.service.ts';
export { NegativeListPolicy, type PolicyRequest, type PolicyResource } from './negative-list.policy.ts';
export { NegativeListService } from './negative-list.service.ts';
