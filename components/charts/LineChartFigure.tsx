'use client';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Cell } from '@/lib/dashboard/csv';
import type { CurveSeries } from '@/lib/dashboard/learningCurve';
import { dec, SERIES_COLOURS } from './format';

/** [mean − std, mean + std] of a row, null where either is unknown (recharts draws a range area from pairs). */
function band(r: Record<string, Cell>, key: string, spreadKey: string): [number, number] | null {
  const mean = r[key], std = r[spreadKey];
  return typeof mean === 'number' && typeof std === 'number' ? [mean - std, mean + std] : null;
}

/**
 * Lines over a numeric x (labelled slices, training step…). Values are read by key with a function, not a recharts
 * path string, because keys such as "dice.GGO" contain dots. A series with a `spreadKey` gets a ±1 std band.
 */
export function LineChartFigure({ rows, xKey, xLabel, series, yDomain, height = 260, label }: {
  rows: Record<string, Cell>[];
  xKey: string;
  xLabel: string;
  series: CurveSeries[];
  /** [0, 1] for fractions; 'auto' for losses. */
  yDomain?: [number, number] | 'auto';
  height?: number;
  label: string;
}) {
  const domain = yDomain === 'auto' || !yDomain ? (['auto', 'auto'] as const) : yDomain;
  return (
    <div role="img" aria-label={label} className="chart">
      <ResponsiveContainer width="100%" height={height}>
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 18, left: 0 }}>
          <CartesianGrid stroke="#2a3140" strokeDasharray="3 3" />
          <XAxis dataKey={(r: Record<string, Cell>) => r[xKey]} type="number" domain={['dataMin', 'dataMax']} stroke="#97a0b3" label={{ value: xLabel, position: 'insideBottom', offset: -10, fill: '#97a0b3' }} allowDecimals={false} />
          <YAxis stroke="#97a0b3" domain={domain as never} tickFormatter={(v: number) => dec(v, 2)} width={48} />
          <Tooltip contentStyle={{ background: '#171b23', border: '1px solid #2a3140' }} formatter={(v) => dec(v as number)} labelFormatter={(x) => `${xLabel}: ${x}`} />
          <Legend wrapperStyle={{ paddingTop: 8 }} />
          {series.map((s, i) => s.spreadKey && (
            // the spread over seeds: a ±1 std band behind the mean curve
            <Area key={`${s.key}-spread`} dataKey={(r: Record<string, Cell>) => band(r, s.key, s.spreadKey!)} stroke="none" fill={SERIES_COLOURS[i % SERIES_COLOURS.length]} fillOpacity={0.15} legendType="none" tooltipType="none" connectNulls isAnimationActive={false} />
          ))}
          {series.map((s, i) => (
            <Line key={s.key} name={s.label} dataKey={(r: Record<string, Cell>) => r[s.key] ?? null} stroke={SERIES_COLOURS[i % SERIES_COLOURS.length]} dot={{ r: 3 }} connectNulls isAnimationActive={false} />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
