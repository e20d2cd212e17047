/** The facility categories of TD/T 1062-2021 (社区生活圈规划技术指南) and the 15-minute walk. */
export const CATEGORIES = [
  'education',
  'health',
  'elderly_care',
  'culture_sport',
  'commerce',
  'transit',
  'public_service',
  'park',
] as const;

/** One facility category. */
export type Category = (typeof CATEGORIES)[number];

/** zh-CN names as the guideline groups them; imports accept either the code or this name. */
export const CATEGORY_NAMES: Record<Category, string> = {
  education: '教育',
  health: '医疗卫生',
  elderly_care: '养老服务',
  culture_sport: '文化体育',
  commerce: '商业服务',
  transit: '公共交通',
  public_service: '公共管理与服务',
  park: '公园绿地',
};

/**
 * Walking speed, km/h. 4.5 rather than 5: the life circle is planned for the elderly and children
 * as well, Chongqing is hilly, and 15 min × 4.5 km/h = 1,125 m, the top of the guideline's
 * 800–1,100 m walking distance (5 km/h would give 1,250 m, beyond it).
 */
export const WALK_KMH = 4.5;
/** The life circle's time budget, minutes. */
export const WALK_MINUTES = 15;
/** Walking distance within the budget, m (1,125). */
export const WALK_BUDGET_M = (WALK_KMH * 1000 * WALK_MINUTES) / 60;

/** The category a code or zh-CN name stands for, or undefined. */
export function categoryOf(value: string): Category | undefined {
  const v = value.trim();
  if ((CATEGORIES as readonly string[]).includes(v)) return v as Category;
  return CATEGORIES.find((c) => CATEGORY_NAMES[c] === v);
}
