import { LineChart as Lines } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only the parts used are registered, which keeps the chart chunk small.
echarts.use([Lines, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

/** One line: a name, its colour and a value per x label (null: no data, drawn as a gap). */
export interface Line {
  name: string;
  colour: string;
  values: (number | null)[];
  dashed?: boolean;
}

/** A line chart over shared x labels (e.g. the 288 five-minute slots of a day), with an ARIA description. */
export default function LineChart({
  x,
  lines,
  label,
  unit,
}: {
  x: string[];
  lines: Line[];
  label: string;
  unit?: string;
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
    chart.current?.setOption(
      {
        aria: { enabled: true, label: { description: label } },
        animation: false,
        grid: { left: 8, right: 16, top: 28, bottom: 4, containLabel: true },
        legend: { top: 0, textStyle: { color: '#d7e3f0' } },
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (v == null ? '—' : `${v}${unit ?? ''}`) },
        xAxis: {
          type: 'category',
          data: x,
          axisLabel: { color: '#a9bdd3', interval: Math.max(0, Math.floor(x.length / 8) - 1) },
          axisLine: { lineStyle: { color: '#3a5575' } },
        },
        yAxis: {
          type: 'value',
          scale: true,
          axisLabel: { color: '#a9bdd3' },
          splitLine: { lineStyle: { color: '#22364f' } },
        },
        series: lines.map((l) => ({
          type: 'line',
          name: l.name,
          data: l.values,
          // Points only while there are few (a day just begun): a lone value between gaps is otherwise invisible.
          showSymbol: l.values.filter((v) => v !== null).length < 48,
          showAllSymbol: true,
          connectNulls: false,
          lineStyle: { color: l.colour, width: 2, type: l.dashed ? 'dashed' : 'solid' },
          itemStyle: { color: l.colour },
        })),
      },
      true,
    );
  }, [x, lines, label, unit]);

  return <div ref={el} className="chart" style={{ height: 220 }} />;
}
