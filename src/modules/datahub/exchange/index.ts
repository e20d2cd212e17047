/** The exchange gateway's building blocks: the hash-chained exchange log, masking and per-consumer quotas. */
export type { ChainedExchange, ExchangeRecord } from './exchange.hash.ts';
export { exchangeHash } from './exchange.hash.ts';
export { ExchangeLog, type ExchangeVerifyResult } from './exchange.log.ts';
export { EXCHANGE_GENESIS_HASH, exchangeMigrations } from './exchange.migrations.ts';
export { exchangePartitionName } from './exchange.repository.ts';
export {
  DEFAULT_MASK_POLICY,
  type FieldClass,
  guessKind,
  isValidResidentId,
  type MaskField,
  type MaskKind,
  type MaskPolicy,
  maskAddress,
  maskIdNumber,
  maskName,
  maskPhone,
  maskPlate,
  maskRows,
  maskValue,
} from './masking.ts';
export { ConsumerQuota, type QuotaLimit } from './quota.ts';
