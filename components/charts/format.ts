/** How the dashboard writes figures: fractions as percentages (the paper's tables) or to three decimals. */
import type { Cell } from '@/lib/dashboard/csv';

export const pct = (v: Cell, digits = 1) => (typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : '—');
export const dec = (v: Cell, digits = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');
/** A timestamp as "2026-11-27 11:31" in the viewer's time zone (short enough for tables). */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

export const cell = (v: Cell) => (v === null || v === undefined ? '—' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : dec(v)) : typeof v === 'boolean' ? (v ? 'yes' : '') : v);

/** Line/bar colours that read on the dark theme; GGO and C keep their annotation colours. */
export const SERIES_COLOURS = ['#4f9cf9', '#f5c542', '#ef5b9c', '#41c47b', '#b48cf2', '#f28b4f', '#5fd3d3', '#c9d1e0'];
