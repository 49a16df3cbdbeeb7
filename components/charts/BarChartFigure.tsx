'use client';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Cell } from '@/lib/dashboard/csv';
import type { CurveSeries } from '@/lib/dashboard/learningCurve';
import { dec, SERIES_COLOURS } from './format';

/** Grouped bars: one group per row (e.g. a model version), one bar per series (e.g. Dice GGO, Dice C). */
export function BarChartFigure({ rows, categoryKey, categoryPrefix = '', series, height = 260, label }: {
  rows: Record<string, Cell>[];
  categoryKey: string;
  /** Written before each category value on the axis, e.g. "v" for version numbers. */
  categoryPrefix?: string;
  series: CurveSeries[];
  height?: number;
  label: string;
}) {
  return (
    <div role="img" aria-label={label} className="chart">
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid stroke="#2a3140" strokeDasharray="3 3" />
          <XAxis dataKey={(r: Record<string, Cell>) => `${categoryPrefix}${r[categoryKey] ?? ''}`} stroke="#97a0b3" />
          <YAxis stroke="#97a0b3" domain={[0, 1]} tickFormatter={(v: number) => dec(v, 1)} width={40} />
          <Tooltip contentStyle={{ background: '#171b23', border: '1px solid #2a3140' }} formatter={(v) => dec(v as number)} cursor={{ fill: 'rgba(79,156,249,0.08)' }} />
          <Legend />
          {series.map((s, i) => (
            <Bar key={s.key} name={s.label} dataKey={(r: Record<string, Cell>) => r[s.key] ?? null} fill={SERIES_COLOURS[i % SERIES_COLOURS.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
