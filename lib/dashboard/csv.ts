/**
 * CSV for every figure of the dashboard: each chart or table is a `FigureTable` (columns + plain rows, serialisable
 * from server to client components) and downloads as the same numbers the page shows.
 */

export type Cell = string | number | boolean | null | undefined;

export interface Column {
  key: string;
  label: string;
}

/** A figure's data: the table the page renders and the CSV it downloads. */
export interface FigureTable {
  columns: Column[];
  rows: Record<string, Cell>[];
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled; empty for null and
 * undefined; non-finite numbers are empty too (a spreadsheet would read "NaN" as text). A leading =, +, - or @ on a
 * text field is prefixed with ' so spreadsheets do not run it as a formula (user names end up in these files).
 */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header line of column labels, then one line per row in column order; CRLF line ends as RFC 4180 asks. */
export function toCsv(table: FigureTable): string {
  const lines = [table.columns.map((c) => csvCell(c.label)), ...table.rows.map((row) => table.columns.map((c) => csvCell(row[c.key])))];
  return lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}
