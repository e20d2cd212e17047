import type { Kysely } from 'kysely';
import type { Migrations } from '../../platform/db/migrate.ts';

/** Shared parking: sites (OffStreetParking), groups (ParkingGroup), spaces (ParkingSpot), bookings. */
export const parkingMigrations: Migrations = {
  '202612071300_parking_init': {
    async up(db: Kysely<unknown>) {
      const ts = 'timestamptz' as const;
      await db.schema
        .createTable('pk_site')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('owner_kind', 'text', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('jurisdiction_path', 'text', (c) => c.notNull())
        .addColumn('district_code', 'text', (c) => c.notNull())
        .addColumn('synthetic', 'boolean', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pk_site_lonlat').on('pk_site').columns(['lon', 'lat']).execute();
      await db.schema
        .createTable('pk_group')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('site_id', 'text', (c) => c.notNull().references('pk_site.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('windows', 'jsonb', (c) => c.notNull())
        .addColumn('owner_use', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('pk_spot')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // No foreign keys here: spots are only written with their site and group (addSites), and
        // checking 14,800 references doubles the demo preparation on PGlite, which every web test pays.
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_at', ts)
        .addColumn('sensor_id', 'text', (c) => c.unique())
        .execute();
      await db.schema.createIndex('pk_spot_site').on('pk_spot').column('site_id').execute();
      await db.schema
        .createTable('pk_booking')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('spot_id', 'text', (c) => c.notNull().references('pk_spot.id').onDelete('cascade'))
        .addColumn('plate', 'text', (c) => c.notNull())
        .addColumn('starts_at', ts, (c) => c.notNull())
        .addColumn('ends_at', ts, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('overstay', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('occupied_at', ts)
        .addColumn('released_at', ts)
        .addColumn('created_at', ts, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('pk_booking_spot')
        .on('pk_booking')
        .columns(['spot_id', 'starts_at'])
        .execute();
      await db.schema
        .createIndex('pk_booking_status')
        .on('pk_booking')
        .columns(['status', 'starts_at'])
        .execute();
    },
  },
};
