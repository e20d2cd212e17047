import type { Kysely } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/** The notification outbox/inbox: one row per recipient and channel. */
export const notifyMigrations: Migrations = {
  '202611250902_notify_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('nt_notification')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('subject_type', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('delivered_at', 'timestamptz')
        .execute();
      await db.schema
        .createIndex('nt_notification_recipient')
        .on('nt_notification')
        .columns(['recipient'])
        .execute();
      await db.schema
        .createIndex('nt_notification_subject')
        .on('nt_notification')
        .columns(['subject_id'])
        .execute();
      await db.schema
        .createIndex('nt_notification_pending')
        .on('nt_notification')
        .columns(['status', 'id'])
        .execute();
    },
  },
  '202612071320_notify_code': {
    async up(db: Kysely<unknown>) {
      // The message as a code and parameters clients render in the reader's language; title and
      // body stay the text fallback (SMS, e-mail, webhooks, older clients). Older rows keep nulls.
      await db.schema
        .alterTable('nt_notification')
        .addColumn('code', 'text')
        .addColumn('params', 'jsonb')
        .execute();
    },
  },
};
