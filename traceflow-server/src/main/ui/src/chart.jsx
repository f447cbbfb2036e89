// Time series charts with uPlot (about 50 KiB): one or more series over the same bucket starts.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const PALETTE = ['#3b6fd8', '#e0823a', '#2e9d6a', '#c2417d', '#8a63d2', '#8a8f98'];

function cssVar(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/**
 * @param timestamps bucket starts in ms
 * @param series [{label, values}] values aligned with timestamps
 * @param format a value's text on the axis and in the legend
 */
export function TimeChart({ timestamps, series, format, height = 160, label }) {
  const box = useRef(null);
  useEffect(() => {
    const el = box.current;
    const text = cssVar('--muted', '#666');
    const grid = cssVar('--grid', '#eee');
    const opts = {
      width: Math.max(el.clientWidth, 200),
      height,
      legend: { show: series.length > 1 },
      cursor: { drag: { x: false, y: false } },
      // every metric is >= 0: start at zero, and give an all-zero series a small axis instead of uPlot's 0..100
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 56, values: (u, vals) => vals.map((v) => format(v)) },
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          fill: series.length === 1 ? `${PALETTE[0]}22` : undefined,
          value: (u, v) => (v == null ? '–' : format(v)),
          points: { show: timestamps.length < 40 },
        })),
      ],
    };
    const data = [timestamps.map((t) => t / 1000), ...series.map((s) => s.values)];
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 200), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [timestamps, series, format, height]);
  return <div class="chart" ref={box} role="img" aria-label={label} />;
}
