import type { Category } from '../lifecircle/index.ts';

/** How a need is served: the person walks to the resource, or the resource comes to the person. */
export type ServiceMode = 'onsite' | 'visit';

/** A need category: its life-circle category (TD/T 1062-2021), how it is served, its zh-CN name. */
export interface NeedCategoryInfo {
  lifeCircle: Category;
  mode: ServiceMode;
  zh: string;
}

/** The need categories: elderly-care needs, citizen requests and service applications. */
export const NEED_CATEGORIES = {
  meal_delivery: { lifeCircle: 'elderly_care', mode: 'visit', zh: '助餐送餐' },
  day_care: { lifeCircle: 'elderly_care', mode: 'onsite', zh: '日间照料' },
  home_visit: { lifeCircle: 'elderly_care', mode: 'visit', zh: '上门探访' },
  health_checkup: { lifeCircle: 'health', mode: 'onsite', zh: '健康体检' },
  home_nursing: { lifeCircle: 'health', mode: 'visit', zh: '居家护理' },
  after_school: { lifeCircle: 'education', mode: 'onsite', zh: '课后托管' },
  sports_class: { lifeCircle: 'culture_sport', mode: 'onsite', zh: '文体活动' },
  errand: { lifeCircle: 'commerce', mode: 'visit', zh: '代买代办' },
  certificate: { lifeCircle: 'public_service', mode: 'onsite', zh: '证照办理' },
  home_repair: { lifeCircle: 'public_service', mode: 'visit', zh: '上门维修' },
} as const satisfies Record<string, NeedCategoryInfo>;

/** One need category code. */
export type NeedCategory = keyof typeof NEED_CATEGORIES;
/** Every need category code. */
export const NEED_CATEGORY_CODES = Object.keys(NEED_CATEGORIES) as NeedCategory[];

/** Where a need came from. */
export const NEED_SOURCES = ['citizen_request', 'elderly_care', 'service_application'] as const;
/** One need source. */
export type NeedSource = (typeof NEED_SOURCES)[number];

/** What a resource is. */
export const RESOURCE_KINDS = ['facility', 'provider', 'volunteer'] as const;
/** One resource kind. */
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** The need category a code or zh-CN name stands for, or undefined. */
export function needCategoryOf(value: unknown): NeedCategory | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (v in NEED_CATEGORIES) return v as NeedCategory;
  return NEED_CATEGORY_CODES.find((c) => NEED_CATEGORIES[c].zh === v);
}

/** The need categories a life-circle facility of `category` serves. */
export function categoriesOfFacility(category: Category): NeedCategory[] {
  return NEED_CATEGORY_CODES.filter((c) => NEED_CATEGORIES[c].lifeCircle === category);
}

/**
 * Straight-line detour factor when a need or resource is off the walking network: the life
 * circle's lattice walks the Manhattan metric, ~1.27 × the straight line on average; 1.3 rounds it
 * up (observed route directness 1.2–1.4).
 */
export const DETOUR_FACTOR = 1.3;
