import type { ReactNode } from 'react';
import type { FigureTable } from '@/lib/dashboard/csv';
import { CsvDownload } from './CsvDownload';
import './charts.css';

/** A titled card around one figure, with its CSV download. */
export function Figure({ title, csv, filename, note, children, testId }: { title: string; csv: FigureTable; filename: string; note?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <section className="card figure" data-testid={testId}>
      <header className="figure-head">
        <h3>{title}</h3>
        <CsvDownload table={csv} filename={filename} title={title} />
      </header>
      {children}
      {note && <p className="muted small-text">{note}</p>}
    </section>
  );
}
