import type { ColumnType } from 'kysely';
import type { OfferWindow } from './parking.windows.ts';

/** The parking module's tables (Smart Data Models names in the API: OffStreetParking, ParkingGroup, ParkingSpot). */
export interface ParkingTables {
  /** A site whose owner shares spaces (OffStreetParking). */
  pk_site: {
    id: string;
    name: string;
    /** office | mall | residential */
    owner_kind: string;
    lon: number;
    lat: number;
    jurisdiction_path: string;
    district_code: string;
    /** Generated demo data, not a real site. */
    synthetic: boolean;
  };
  /** The spaces of a site shared under the same weekly windows (ParkingGroup). */
  pk_group: {
    id: string;
    site_id: string;
    name: string;
    windows: ColumnType<OfferWindow[], string, string>;
    /** Share of the owner's own hours (outside the windows) its own users park. */
    owner_use: number;
  };
  /** One shared space (ParkingSpot), with the sensor that reports its occupancy. */
  pk_spot: {
    id: string;
    site_id: string;
    group_id: string;
    /** onStreet | offStreet */
    category: string;
    /** free | occupied | closed | unknown (the last sensor report) */
    status: string;
    status_at: Date | null;
    sensor_id: string | null;
  };
  /** A citizen's booking of a space for a window. */
  pk_booking: {
    id: string;
    spot_id: string;
    plate: string;
    starts_at: Date;
    ends_at: Date;
    /** booked → occupied → completed; booked → cancelled | no_show */
    status: string;
    overstay: boolean;
    occupied_at: Date | null;
    released_at: Date | null;
    created_at: Date;
  };
}
