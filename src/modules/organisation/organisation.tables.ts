import type { ColumnType } from 'kysely';

/** Tables owned by the organisation module. */
export interface OrganisationTables {
  org_department: {
    code: string;
    type: string;
    name: string;
    level: string;
    jurisdiction_code: string;
    jurisdiction_path: string;
  };
  org_centre: {
    code: string;
    name: string;
    level: string;
    jurisdiction_code: string;
    jurisdiction_path: string;
    lon: number;
    lat: number;
  };
  org_team: {
    id: string;
    code: string;
    name: string;
    kind: string;
    department_code: string;
    jurisdiction_code: string;
    jurisdiction_path: string;
    base_lon: number;
    base_lat: number;
    skills: string[];
    on_duty: boolean;
    capacity: number;
    active_tasks: number;
    position_lon: number | null;
    position_lat: number | null;
    position_at: Date | null;
    updated_at: Date;
  };
  org_responsibility_revision: {
    revision: number;
    file_version: string | null;
    effective_from: Date;
    source: string;
    created_at: Date;
    created_by: string;
    note: string | null;
    domains: ColumnType<{ code: string; zh: string; en: string }[], string, never>;
  };
  org_responsibility_item: {
    revision: number;
    category: string;
    zh: string;
    en: string;
    domain: string;
    department_type: string;
    co_department_types: string[];
    level: string;
    skill: string;
    accept_minutes: number;
    arrive_minutes: number;
    resolve_minutes: number;
    city_power: boolean;
  };
}
