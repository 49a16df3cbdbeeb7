'use client';
import { useState } from 'react';

const FORMATS = [
  ['masks', 'PNG label masks + images + labels.csv (zip, re-importable)'],
  ['coco', 'COCO JSON (polygons, GGO/C, slice class attribute)'],
  ['csv', 'CSV of slice classes'],
] as const;

/** Export for admins: a plain download link to GET /api/export with the chosen options. */
export function ExportForm({ studies }: { studies: { id: string; scanKey: string }[] }) {
  const [format, setFormat] = useState<(typeof FORMATS)[number][0]>('masks');
  const [status, setStatus] = useState<'accepted' | 'all'>('accepted');
  const [study, setStudy] = useState('');
  const href = `/api/export?${new URLSearchParams({ format, status, ...(study ? { study } : {}) })}`;
  return (
    <div className="card stack" data-testid="export-form">
      <h2>Export</h2>
      <label>
        Format
        <select aria-label="Export format" value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
          {FORMATS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </label>
      <label>
        Slices
        <select aria-label="Export status" value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
          <option value="accepted">Accepted (reviewed) only</option>
          <option value="all">All slices</option>
        </select>
      </label>
      <label>
        Study
        <select aria-label="Export study" value={study} onChange={(e) => setStudy(e.target.value)}>
          <option value="">All studies</option>
          {studies.map((s) => <option key={s.id} value={s.id}>{s.scanKey}</option>)}
        </select>
      </label>
      <a className="button" href={href} download>Download export</a>
    </div>
  );
}
