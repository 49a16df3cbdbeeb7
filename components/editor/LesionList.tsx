'use client';
import type { EditorPolygon } from '@/lib/editor/document';
import { formatArea, lesionRows, type PixelSpacing } from '@/lib/editor/lesionList';
import { CLASS_COLOURS } from './CanvasView';

/** Every polygon of the slice with its class and area; a row selects it, its boxes hide or lock it. */
export function LesionList({ polygons, spacing, selectedKey, hidden, locked, onSelect, onToggleHidden, onToggleLocked }: {
  polygons: readonly EditorPolygon[];
  spacing: PixelSpacing | null;
  selectedKey: string | null;
  hidden: readonly string[];
  locked: readonly string[];
  onSelect(key: string): void;
  onToggleHidden(key: string): void;
  onToggleLocked(key: string): void;
}) {
  if (polygons.length === 0) return null;
  return (
    <details open className="lesion-list">
      <summary>Lesions ({polygons.length})</summary>
      <table data-testid="lesion-list">
        <thead><tr><th>#</th><th>Class</th><th>Area</th><th>Hide</th><th>Lock</th></tr></thead>
        <tbody>
          {lesionRows(polygons, spacing).map((row) => (
            <tr key={row.key} aria-selected={row.key === selectedKey} className={row.key === selectedKey ? 'selected' : ''}>
              <td><button className="link" onClick={() => onSelect(row.key)} aria-label={`Select polygon ${row.number}`}>{row.number}</button></td>
              <td><span className="swatch" style={{ background: CLASS_COLOURS[row.lesionClass] }} /> {row.lesionClass}</td>
              <td>{formatArea(row)}</td>
              <td><input type="checkbox" checked={hidden.includes(row.key)} onChange={() => onToggleHidden(row.key)} aria-label={`Hide polygon ${row.number}`} /></td>
              <td><input type="checkbox" checked={locked.includes(row.key)} onChange={() => onToggleLocked(row.key)} aria-label={`Lock polygon ${row.number}`} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
