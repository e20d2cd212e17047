import { type Kysely, sql } from 'kysely';
import type { Migrations } from '../db/migrate.ts';

/** The transactional outbox: events written with the business change, published by the relay. */
export const busOutboxMigrations: Migrations = {
  '202611240805_bus_outbox': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('bus_outbox')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        // created_at ties inside one transaction, so a sequence gives the publishing order.
        .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('payload', 'jsonb', (c) => c.notNull())
        .addColumn('key', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('published_at', 'timestamptz')
        // Set when a row can never be published (its payload no longer fits the schema).
        .addColumn('last_error', 'text')
        .execute();
      await sql`create index bus_outbox_pending on bus_outbox (seq) where published_at is null and last_error is null`.execute(
        db,
      );
    },
  },
  '202612060510_bus_outbox_attempts': {
    async up(db: Kysely<unknown>) {
      // Publish attempts the bus refused for this row alone; at the relay's maxAttempts the row is set aside.
      await db.schema
        .alterTable('bus_outbox')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
};
