/** The devices the seed's stories name, placed where the source article puts them (approximate, WGS84). */
export const namedDevices: Record<string, string | number>[] = [
  {
    id: 'wq-puhe-zhaixi',
    type: 'WaterQualityObserved',
    model: 'multi-parameter sonde',
    name: '蒲河寨溪大桥水质自动站',
    lon: 106.65,
    lat: 29.03,
    department: 'ecology_environment',
    metrics: 'O2|NH4|cod|PO4|pH|temperature|turbidity|conductivity',
    section: '蒲河寨溪大桥断面',
    targetClass: 'III',
    waterBody: 'river',
  },
  {
    id: 'wq-ruxi-liangping',
    type: 'WaterQualityObserved',
    model: 'multi-parameter sonde (oil-in-water)',
    name: '汝溪河梁平水质自动站',
    lon: 107.8,
    lat: 30.6,
    department: 'ecology_environment',
    metrics: 'O2|NH4|cod|PO4|pH|temperature|turbidity|conductivity',
    section: '汝溪河梁平断面(合成河段)',
    targetClass: 'III',
    waterBody: 'river',
  },
  // People counters around the Jiefangbei pedestrian zone (106.577 E, 29.557 N) and the Jiaochangkou night market.
  ...Array.from({ length: 24 }, (_, i) => {
    const angle = (2 * Math.PI * i) / 24;
    const r = 0.0015 + (i % 3) * 0.0008;
    return {
      id: `cf-jfb-${String(i + 1).padStart(3, '0')}`,
      type: 'CrowdFlowObserved',
      model: i % 2 ? 'AI video analytics' : 'mm-wave radar',
      name: `解放碑步行街客流监测点${i + 1}`,
      lon: Math.round((106.577 + r * Math.cos(angle)) * 1e5) / 1e5,
      lat: Math.round((29.557 + r * Math.sin(angle)) * 1e5) / 1e5,
      department: 'public_security',
      metrics: 'peopleCount|occupancy|averageCrowdSpeed|congested',
    };
  }),
  {
    id: 'cf-jck-001',
    type: 'CrowdFlowObserved',
    model: 'AI video analytics',
    name: '较场口夜市客流监测点',
    lon: 106.574,
    lat: 29.551,
    department: 'public_security',
    metrics: 'peopleCount|occupancy|averageCrowdSpeed|congested',
  },
];
