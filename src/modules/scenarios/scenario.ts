import type { Principal } from '../../platform/access.ts';

/** A map layer a scenario contributes to the cockpit (GeoJSON served by the scenario). */
export interface MapLayer {
  id: string;
  name: string;
  kind: 'lines' | 'points' | 'polygons';
  url: string;
}

/** A KPI the scenario computes. */
export interface Kpi {
  id: string;
  name: string;
  unit: string;
  value(principal: Principal): Promise<number | null>;
}

/**
 * A scenario plug-in: what it registers with the platform. Device types and rules are the
 * sensing module's (by FIWARE type and rule id); analyses are filed algorithm keys run through
 * the gate; plan templates are keys of `data/scenarios/plans`.
 */
export interface Scenario {
  id: string;
  name: string;
  nameEn: string;
  deviceTypes: string[];
  rules: string[];
  analyses: string[];
  planTemplates: string[];
  layers: MapLayer[];
  kpis: Kpi[];
  /** Background work (timers, subscriptions). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** What the catalogue lists for a scenario. */
export async function describeScenario(s: Scenario, principal: Principal) {
  return {
    id: s.id,
    name: s.name,
    nameEn: s.nameEn,
    deviceTypes: s.deviceTypes,
    rules: s.rules,
    analyses: s.analyses,
    planTemplates: s.planTemplates,
    layers: s.layers,
    kpis: await Promise.all(
      s.kpis.map(async (k) => ({ id: k.id, name: k.name, unit: k.unit, value: await k.value(principal) })),
    ),
  };
}
