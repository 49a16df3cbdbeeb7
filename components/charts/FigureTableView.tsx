import type { Cell, FigureTable } from '@/lib/dashboard/csv';
import { cell } from './format';

/** A FigureTable as an HTML table; `format` may write a column's values differently (e.g. as percentages). */
export function FigureTableView({ table, format, testId, highlight }: { table: FigureTable; format?: (key: string, value: Cell) => string | undefined; testId?: string; highlight?: (row: FigureTable['rows'][number]) => boolean }) {
  return (
    <div className="table-scroll">
      <table data-testid={testId} className="figures">
        <thead>
          <tr>{table.columns.map((c) => <th key={c.key} scope="col">{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {table.rows.map((row, i) => (
            <tr key={i} className={highlight?.(row) ? 'highlight' : undefined}>
              {table.columns.map((c) => <td key={c.key}>{format?.(c.key, row[c.key]) ?? cell(row[c.key])}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
