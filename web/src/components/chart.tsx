import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { DataTable } from './ui';

const COLOURS = ['#1f5fa8', '#b3261e', '#2e7d32', '#8e24aa', '#e65100', '#00838f', '#5d4037'];

export interface Series {
  label: string;
  values: readonly (number | null)[];
}

/**
 * A time chart (uPlot: a canvas, ~50 KB, fast at many points) with a table view of the same
 * data, one button away: every chart is readable without seeing it.
 */
export function TimeChart(props: {
  title: string;
  /** Unix seconds, ascending. */
  x: readonly number[];
  series: readonly Series[];
  format?: (v: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [table, setTable] = useState(false);
  useEffect(() => {
    if (table || !box.current || props.x.length === 0) return;
    const width = Math.max(320, box.current.clientWidth || 640);
    const plot = new uPlot(
      {
        width,
        height: 240,
        series: [
          {},
          ...props.series.map((s, i) => ({
            label: s.label,
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            points: { show: props.x.length < 60 },
          })),
        ],
        axes: [{}, {}],
        legend: { show: true },
      },
      [props.x as number[], ...props.series.map((s) => s.values as (number | null)[])],
      box.current,
    );
    box.current.dataset.points = String(props.x.length * props.series.length);
    return () => plot.destroy();
  }, [props.x, props.series, table]);
  const fmt = props.format ?? ((v: number) => String(Math.round(v * 1000) / 1000));
  return (
    <figure class="chart">
      <figcaption>
        {props.title}{' '}
        <button type="button" class="link" onClick={() => setTable(!table)} aria-pressed={table}>
          {table ? 'Show chart' : 'Show table'}
        </button>
      </figcaption>
      {props.x.length === 0 ? (
        <p>No data yet.</p>
      ) : table ? (
        <DataTable
          caption={props.title}
          columns={['time', ...props.series.map((s) => s.label)]}
          rows={props.x.map((t, i) => [
            new Date(t * 1000).toLocaleString(),
            ...props.series.map((s) =>
              s.values[i] === null || s.values[i] === undefined ? '—' : fmt(s.values[i]!),
            ),
          ])}
        />
      ) : (
        <div
          ref={box}
          role="img"
          aria-label={`${props.title}: chart; the table view has the numbers`}
        />
      )}
    </figure>
  );
}
