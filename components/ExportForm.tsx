'use client';
import { useState } from 'react';

const FORMATS = [
  ['masks', 'PNG label masks + images + labels.csv (zip, re-importable)'],
  ['coco', 'COCO JSON (polygons, GGO/C, slice class attribute)'],
  ['csv', 'CSV of slice classes'],
  ['nifti', 'NIfTI per study: label volume (0/1/2) + image volume (zip)'],
  ['dicom-seg', 'DICOM-SEG per DICOM study (zip)'],
] as const;

/**
 * Export for admins: a plain download link to GET /api/export with the chosen options; for a study imported from a
 * PACS, its DICOM-SEG can also be sent back there (STOW-RS).
 */
export function ExportForm({ studies }: { studies: { id: string; scanKey: string; fromPacs?: boolean }[] }) {
  const [format, setFormat] = useState<(typeof FORMATS)[number][0]>('masks');
  const [status, setStatus] = useState<'accepted' | 'all'>('accepted');
  const [study, setStudy] = useState('');
  const [stow, setStow] = useState<{ ok: boolean; text: string } | null>(null);
  const href = `/api/export?${new URLSearchParams({ format, status, ...(study ? { study } : {}) })}`;
  const fromPacs = studies.find((s) => s.id === study)?.fromPacs;
  async function sendToPacs() {
    setStow({ ok: true, text: 'Sending…' });
    const res = await fetch('/api/dicomweb/stow', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ studyId: study, status }) });
    const body = (await res.json().catch(() => ({}))) as { stored?: { server: string; sopInstanceUid: string }; error?: string };
    setStow(res.ok && body.stored ? { ok: true, text: `Stored on ${body.stored.server} (SEG ${body.stored.sopInstanceUid})` } : { ok: false, text: body.error ?? `${res.status} ${res.statusText}` });
  }
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
      {fromPacs && <button type="button" onClick={sendToPacs}>Send DICOM-SEG to its PACS</button>}
      {stow && <p className={stow.ok ? 'ok-text' : 'error'} role="status" data-testid="stow-result">{stow.text}</p>}
    </div>
  );
}
