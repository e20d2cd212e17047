import { BarChart as Bars } from 'echarts/charts';
import { AriaComponent, GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only the parts used are registered, which keeps the chart chunk small.
echarts.use([Bars, GridComponent, TooltipComponent, AriaComponent, CanvasRenderer]);

/** A horizontal bar chart of labelled counts (largest on top), with an ARIA description. */
export default function BarChart({ rows, label }: { rows: [string, number][]; label: string }) {
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
    const ordered = [...rows].reverse();
    chart.current?.setOption(
      {
        aria: {
          enabled: true,
          label: { description: `${label}: ${rows.map(([k, v]) => `${k} ${v}`).join(', ')}` },
        },
        animation: false,
        grid: { left: 8, right: 44, top: 4, bottom: 4, containLabel: true },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        xAxis: {
          type: 'value',
          minInterval: 1,
          splitLine: { lineStyle: { color: '#22364f' } },
          // Values are printed on the bars; axis numbers would only crowd a narrow panel.
          axisLabel: { show: false },
        },
        yAxis: {
          type: 'category',
          data: ordered.map(([k]) => k),
          axisLabel: { color: '#d7e3f0', fontSize: 12 },
          axisLine: { lineStyle: { color: '#3a5575' } },
        },
        series: [
          {
            type: 'bar',
            data: ordered.map(([, v]) => v),
            itemStyle: { color: '#3fa7f5', borderRadius: [0, 3, 3, 0] },
            label: { show: true, position: 'right', color: '#d7e3f0' },
            barMaxWidth: 14,
          },
        ],
      },
      true,
    );
  }, [rows, label]);

  return <div ref={el} className="chart" style={{ height: Math.max(120, rows.length * 24 + 16) }} />;
}
