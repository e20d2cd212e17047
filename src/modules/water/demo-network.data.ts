/**
 * Inputs of the demo network: river definitions (hydrology order-of-magnitude, see README.md)
 * and the synthesised features. Everything marked `synthesised` is invented for the demo.
 */
import type { z } from 'zod';
import type {
  IntakeSchema,
  PollutionSourceSchema,
  ReservoirSchema,
  SectionSchema,
} from './network.schema.ts';

type Section = z.input<typeof SectionSchema>;
type PollutionSource = z.input<typeof PollutionSourceSchema>;
type Intake = z.input<typeof IntakeSchema>;
type Reservoir = z.input<typeof ReservoirSchema>;

type Coord = [number, number];

/** One river: geometry (Natural Earth name or a hand-drawn line) and hydrology. */
export interface RiverDef {
  key: string;
  name: string;
  nameEn: string;
  naturalEarth?: string;
  line?: Coord[];
  joins?: string;
  synthesised: boolean;
  /** River length / polyline length (coarse lines cut meanders). */
  sinuosity: number;
  reachKm: number;
  slope: number;
  /** Drainage area and mean annual discharge entering at the head / at the mouth (own, without tributaries modelled here). */
  headDaKm2: number;
  headQa: number;
  mouthDaKm2: number;
  mouthQa: number;
  /** Q / Qa for the demo's prediction flow. */
  flowRatio: number;
}

/** Target leading-edge arrival at the Ruxi intake (the story's "~6 h"), hours. */
export const RUXI_LEADING_EDGE_TARGET_H = 6;

export const DEMO_RIVERS: readonly RiverDef[] = [
  {
    key: 'yangtze',
    name: '长江',
    nameEn: 'Yangtze',
    naturalEarth: 'Yangtze',
    synthesised: false,
    sinuosity: 1.1,
    reachKm: 5,
    slope: 0.0001,
    // Zhutuo station ~695,000 km², ~8,400 m³/s; own lateral inflow inside Chongqing ~40,000 km².
    headDaKm2: 695_000,
    headQa: 8_400,
    mouthDaKm2: 735_000,
    mouthQa: 9_100,
    flowRatio: 0.7,
  },
  {
    key: 'jialing',
    name: '嘉陵江',
    nameEn: 'Jialing',
    naturalEarth: 'Jialing',
    joins: 'yangtze',
    synthesised: false,
    sinuosity: 1.1,
    reachKm: 5,
    slope: 0.0002,
    // Beibei station ~156,000 km², ~2,100 m³/s (the Fu and Qu rivers are lumped as lateral inflow).
    headDaKm2: 30_000,
    headQa: 300,
    mouthDaKm2: 158_000,
    mouthQa: 2_100,
    flowRatio: 0.7,
  },
  {
    key: 'wu',
    name: '乌江',
    nameEn: 'Wu',
    naturalEarth: 'Wu',
    joins: 'yangtze',
    synthesised: false,
    sinuosity: 1.1,
    reachKm: 5,
    slope: 0.0003,
    // Wulong station ~83,000 km², ~1,650 m³/s; basin ~88,000 km².
    headDaKm2: 62_000,
    headQa: 1_150,
    mouthDaKm2: 87_900,
    mouthQa: 1_700,
    flowRatio: 0.7,
  },
  {
    key: 'tuo',
    name: '沱江',
    nameEn: 'Tuo',
    naturalEarth: 'Tuo',
    joins: 'yangtze',
    synthesised: false,
    sinuosity: 1.1,
    reachKm: 5,
    slope: 0.0002,
    // Lijiawan station ~23,000 km²; basin ~27,800 km², ~400 m³/s at the mouth.
    headDaKm2: 27_000,
    headQa: 390,
    mouthDaKm2: 27_800,
    mouthQa: 400,
    flowRatio: 0.7,
  },
  {
    key: 'qijiang',
    name: '綦江（合成）',
    nameEn: 'Qijiang (synthesised)',
    line: [
      [106.6, 28.62],
      [106.64, 28.8],
      [106.66, 28.92],
      [106.645, 29.0],
      [106.63, 29.05],
      [106.58, 29.12],
      [106.5, 29.18],
      [106.4, 29.23],
      [106.3, 29.27],
    ],
    joins: 'yangtze',
    synthesised: true,
    sinuosity: 1.3,
    reachKm: 2,
    slope: 0.0006,
    // Basin ~7,000 km², ~120 m³/s; the head enters from Guizhou.
    headDaKm2: 3_000,
    headQa: 55,
    mouthDaKm2: 6_600,
    mouthQa: 115,
    flowRatio: 0.4,
  },
  {
    key: 'puhe',
    name: '蒲河（合成）',
    nameEn: 'Puhe (synthesised)',
    line: [
      [106.88, 28.92],
      [106.8, 28.96],
      [106.74, 28.995],
      [106.7, 29.015],
      [106.65, 29.03],
      [106.63, 29.05],
    ],
    joins: 'qijiang',
    synthesised: true,
    sinuosity: 1.3,
    reachKm: 1.5,
    slope: 0.0015,
    headDaKm2: 15,
    headQa: 0.25,
    mouthDaKm2: 420,
    mouthQa: 7.2,
    flowRatio: 0.3,
  },
  {
    key: 'ruxi',
    name: '汝溪河（合成）',
    nameEn: 'Ruxi (synthesised)',
    line: [
      [107.7, 30.72],
      [107.76, 30.66],
      [107.8, 30.6],
      [107.85, 30.53],
      [107.9, 30.46],
      [107.95, 30.39],
      [108.0, 30.33],
    ],
    joins: 'yangtze',
    synthesised: true,
    sinuosity: 1.3,
    reachKm: 1.5,
    slope: 0.0012,
    // ~750 km², specific yield ~0.017 m³/s/km² → ~12.8 m³/s; dry-season flow 20% of Qa.
    headDaKm2: 20,
    headQa: 0.35,
    mouthDaKm2: 750,
    mouthQa: 12.8,
    flowRatio: 0.2,
  },
];

const S = { synthesised: true, approximate: true } as const;
type Placed<T> = Omit<T, 'reach' | 'fraction'> & { river: string; near: Coord; offsetM?: number };

/** A feature to place on a river: nearest point to `near`, moved `offsetM` along the river (− = upstream). */
export type DemoFeature =
  | (Placed<Section> & { list: 'sections' })
  | (Placed<PollutionSource> & { list: 'pollutionSources' })
  | (Placed<Intake> & { list: 'intakes' })
  | (Placed<Reservoir> & { list: 'reservoirs' });

/** GB 18918-2002 class 1A outlet limits (mg/L) for municipal sewage plants. */
const GB18918_1A = { cod: 50, bod: 10, NH4: 5, PO4: 0.5 };
const plant = { kind: 'sewage_plant' as const, pollutants: ['bod', 'cod', 'NH4', 'PO4'], permit: GB18918_1A };
const noExceedances = { online: true, exceedances: [] };

export const DEMO_FEATURES: readonly DemoFeature[] = [
  // Qijiang story.
  {
    list: 'sections',
    id: 'puhe-zhaixi-bridge',
    name: '蒲河寨溪大桥断面',
    nameEn: 'Puhe Zhaixi bridge section',
    river: 'puhe',
    near: [106.65, 29.03],
    targetClass: 'III',
    ...S,
  },
  {
    list: 'pollutionSources',
    id: 'puhe-wwtp-zhaixi',
    name: '寨溪镇污水处理厂',
    nameEn: 'Zhaixi town sewage plant (invented)',
    river: 'puhe',
    near: [106.7, 29.015],
    ...plant,
    monitoring: noExceedances,
    ...S,
  },
  {
    list: 'pollutionSources',
    id: 'puhe-wwtp-puhe',
    name: '蒲河场镇污水处理厂',
    nameEn: 'Puhe town sewage plant (invented)',
    river: 'puhe',
    near: [106.8, 28.96],
    ...plant,
    monitoring: noExceedances,
    ...S,
  },
  {
    list: 'pollutionSources',
    id: 'puhe-building-materials',
    name: '蒲河某建材厂',
    nameEn: 'Puhe building-materials plant (invented)',
    kind: 'enterprise',
    industry: 'building materials',
    river: 'puhe',
    near: [106.76, 28.985],
    pollutants: ['tss'],
    permit: { tss: 70 },
    ...S,
  },
  {
    list: 'pollutionSources',
    id: 'qijiang-wwtp-city',
    name: '綦江城区污水处理厂',
    nameEn: 'Qijiang city sewage plant (invented)',
    river: 'qijiang',
    near: [106.58, 29.12],
    ...plant,
    ...S,
  },
  {
    list: 'reservoirs',
    id: 'puhe-reservoir',
    name: '蒲河上游水库',
    nameEn: 'Upper Puhe reservoir (invented)',
    kind: 'reservoir',
    river: 'puhe',
    near: [106.86, 28.93],
    releaseCapacityM3s: 3,
    ...S,
  },
  {
    list: 'reservoirs',
    id: 'qijiang-hydropower',
    name: '綦江上游水电站',
    nameEn: 'Upper Qijiang hydropower station (invented)',
    kind: 'hydropower',
    river: 'qijiang',
    near: [106.64, 28.8],
    releaseCapacityM3s: 40,
    ...S,
  },
  {
    list: 'intakes',
    id: 'qijiang-intake',
    name: '綦江下游水厂取水口',
    nameEn: 'Lower Qijiang waterworks intake (invented)',
    river: 'qijiang',
    near: [106.5, 29.18],
    population: 200_000,
    ...S,
  },
  // Liangping story: the slick is seen at the bridge section; the food plant is 2.3 km upstream.
  {
    list: 'sections',
    id: 'ruxi-bridge',
    name: '汝溪河城南桥断面',
    nameEn: 'Ruxi south bridge section (invented)',
    river: 'ruxi',
    near: [107.8, 30.6],
    targetClass: 'III',
    ...S,
  },
  {
    list: 'pollutionSources',
    id: 'ruxi-food-plant',
    name: '渝梁食品加工厂',
    nameEn: 'Yuliang food-processing plant (invented)',
    kind: 'enterprise',
    industry: 'food processing',
    river: 'ruxi',
    near: [107.8, 30.6],
    offsetM: -2300,
    pollutants: ['oil', 'cod', 'bod', 'NH4'],
    permit: { cod: 100, oil: 10 },
    ...S,
  },
  {
    list: 'pollutionSources',
    id: 'ruxi-machinery',
    name: '汝溪机械修造厂',
    nameEn: 'Ruxi machinery repair works (invented)',
    kind: 'enterprise',
    industry: 'machinery repair',
    river: 'ruxi',
    near: [107.8, 30.6],
    offsetM: -9000,
    pollutants: ['oil', 'cod'],
    permit: { oil: 5 },
    ...S,
  },
  {
    list: 'pollutionSources',
    id: 'ruxi-wwtp',
    name: '梁平某镇污水处理厂',
    nameEn: 'Liangping town sewage plant (invented)',
    river: 'ruxi',
    near: [107.8, 30.6],
    offsetM: -5000,
    ...plant,
    monitoring: noExceedances,
    ...S,
  },
  {
    list: 'reservoirs',
    id: 'ruxi-reservoir',
    name: '汝溪河上游水库电站',
    nameEn: 'Upper Ruxi reservoir and hydropower station (invented)',
    kind: 'hydropower',
    river: 'ruxi',
    near: [107.8, 30.6],
    offsetM: -6000,
    releaseCapacityM3s: 8,
    ...S,
  },
  // Placed by the generator where the leading edge from the bridge section takes 6 h.
  {
    list: 'intakes',
    id: 'ruxi-intake',
    name: '汝溪河下游水厂取水口',
    nameEn: 'Lower Ruxi waterworks intake (invented)',
    river: 'ruxi',
    near: [107.85, 30.53],
    population: 120_000,
    ...S,
  },
  // Two national control sections on the Yangtze, positions approximate, target class assumed.
  {
    list: 'sections',
    id: 'yangtze-zhutuo',
    name: '朱沱断面',
    nameEn: 'Zhutuo section',
    river: 'yangtze',
    near: [105.85, 29.01],
    targetClass: 'III',
    synthesised: false,
    approximate: true,
  },
  {
    list: 'sections',
    id: 'yangtze-cuntan',
    name: '寸滩断面',
    nameEn: 'Cuntan section',
    river: 'yangtze',
    near: [106.6, 29.61],
    targetClass: 'III',
    synthesised: false,
    approximate: true,
  },
];
