'use client';
import { toCsv, type FigureTable } from '@/lib/dashboard/csv';

/** Downloads a figure's data as CSV, built in the browser from the same table the figure shows. */
export function CsvDownload({ table, filename, title }: { table: FigureTable; filename: string; title: string }) {
  const download = () => {
    const url = URL.createObjectURL(new Blob([toCsv(table)], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = filename.endsWith('.csv') ? filename : `${filename}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    // Revoked after the click has been handled; revoking at once can cancel the download in some browsers.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <button type="button" className="small" onClick={download} disabled={table.rows.length === 0} aria-label={`Download ${title} as CSV`}>
      CSV
    </button>
  );
}
