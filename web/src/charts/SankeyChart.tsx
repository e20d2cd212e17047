import { SankeyChart as Sankey } from 'echarts/charts';
import { AriaComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([Sankey, TooltipComponent, AriaComponent, CanvasRenderer]);

/** One flow: from a source node to a target node, with its size. */
export interface Flow {
  source: string;
  target: string;
  value: number;
}

/**
 * A Sankey diagram of flows between labelled nodes, with an ARIA description listing every flow.
 * Node ids must form no cycle (Sankey's rule): callers give the two sides distinct ids.
 */
export default function SankeyChart({
  flows,
  labelOf,
  label,
}: {
  flows: Flow[];
  labelOf: (id: string) => string;
  label: string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const instance = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(el.current);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const ids = [...new Set(flows.flatMap((f) => [f.source, f.target]))];
    chart.current?.setOption(
      {
        aria: {
          enabled: true,
          label: {
            description: `${label}: ${flows
              .map((f) => `${labelOf(f.source)} → ${labelOf(f.target)} ${f.value}`)
              .join(', ')}`,
          },
        },
        animation: false,
        tooltip: {
          trigger: 'item',
          formatter: (p: {
            dataType?: string;
            data: { source?: string; target?: string; name?: string; value?: number };
          }) =>
            p.dataType === 'edge'
              ? `${labelOf(p.data.source ?? '')} → ${labelOf(p.data.target ?? '')}: ${p.data.value ?? 0}`
              : labelOf(p.data.name ?? ''),
        },
        series: [
          {
            type: 'sankey',
            left: 8,
            right: 150,
            top: 8,
            bottom: 8,
            nodeGap: 10,
            draggable: false,
            emphasis: { focus: 'adjacency' },
            data: ids.map((id) => ({ name: id })),
            links: flows,
            label: { color: '#d7e3f0', fontSize: 12, formatter: (p: { name: string }) => labelOf(p.name) },
            lineStyle: { color: 'gradient', opacity: 0.45, curveness: 0.5 },
            itemStyle: { borderColor: '#0b1626' },
          },
        ],
      },
      true,
    );
  }, [flows, labelOf, label]);

  const nodes = new Set(flows.flatMap((f) => [f.source, f.target])).size;
  return <div ref={el} className="chart sankey" style={{ height: Math.max(180, nodes * 18 + 40) }} />;
}
