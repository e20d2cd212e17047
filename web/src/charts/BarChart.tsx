import { useEffect, useRef } from 'react';

const LABEL = '#d7e3f0';
const BAR = '#3fa7f5';
const GRID = '#22364f';
const AXIS = '#3a5575';
const FONT = '12px system-ui, sans-serif';

/**
 * A horizontal bar chart of labelled counts (largest on top), with an ARIA description: drawn
 * on a 2D canvas by hand (a few rectangles and texts), so the cockpit's first view loads no
 * chart library (ECharts is ~125 KiB over the wire; the traffic and data pages still use it).
 */
export default function BarChart({ rows, label }: { rows: [string, number][]; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const draw = () => drawBars(el, rows);
    draw();
    const resize = new ResizeObserver(draw);
    resize.observe(el);
    return () => resize.disconnect();
  }, [rows]);

  const description = `${label}: ${rows.map(([k, v]) => `${k} ${v}`).join(', ')}`;
  return (
    <div className="chart" style={{ height: Math.max(120, rows.length * 24 + 16) }}>
      <canvas ref={canvas} role="img" aria-label={description} style={{ width: '100%', height: '100%' }} />
    </div>
  );
}

/** Draws the bars at the canvas's CSS size times the device pixel ratio. */
function drawBars(el: HTMLCanvasElement, rows: [string, number][]): void {
  const ratio = globalThis.devicePixelRatio || 1;
  const width = el.clientWidth;
  const height = el.clientHeight;
  if (!width || !height) return;
  el.width = Math.round(width * ratio);
  el.height = Math.round(height * ratio);
  const ctx = el.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = FONT;
  ctx.textBaseline = 'middle';
  const labelWidth = Math.min(width * 0.45, Math.max(0, ...rows.map(([k]) => ctx.measureText(k).width)) + 8);
  const left = 8 + labelWidth;
  const right = 44;
  const top = 4;
  const band = rows.length ? (height - top - 4) / rows.length : 0;
  const max = Math.max(1, ...rows.map(([, v]) => v));
  const span = Math.max(1, width - left - right);
  // Grid lines at quarters, then the axis.
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  for (let q = 1; q <= 4; q++) {
    const x = Math.round(left + (span * q) / 4) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, height - 4);
    ctx.stroke();
  }
  ctx.strokeStyle = AXIS;
  ctx.beginPath();
  ctx.moveTo(left + 0.5, top);
  ctx.lineTo(left + 0.5, height - 4);
  ctx.stroke();
  rows.forEach(([k, v], i) => {
    const y = top + band * i + band / 2;
    const barHeight = Math.min(14, band * 0.7);
    const w = (span * v) / max;
    ctx.fillStyle = BAR;
    ctx.beginPath();
    ctx.roundRect(left, y - barHeight / 2, Math.max(1, w), barHeight, [0, 3, 3, 0]);
    ctx.fill();
    ctx.fillStyle = LABEL;
    ctx.textAlign = 'right';
    ctx.fillText(k, left - 6, y, labelWidth);
    ctx.textAlign = 'left';
    ctx.fillText(String(v), left + w + 5, y);
  });
}
