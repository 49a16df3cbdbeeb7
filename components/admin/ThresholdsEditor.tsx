'use client';
import { useState } from 'react';
import { dec } from '@/components/charts/format';
import type { SegmenterVersion } from '@/lib/dashboard/versions';
import { api } from './http';

type Thresholds = NonNullable<SegmenterVersion['thresholds']>;
const SOURCE_TEXT = { override: 'set by an admin', calibrated: 'calibrated on validation', default: 'default' } as const;

/**
 * A segmenter version's proposal thresholds per class (the detection score a lesion needs to be proposed, and the
 * mask probability its outline follows), where each comes from, and the admin's override: Save sets it, "Use
 * calibrated" removes it. Changing the active version's thresholds recomputes its proposals (a score job).
 */
export function ThresholdsEditor({ version, onSaved }: { version: SegmenterVersion; onSaved: () => Promise<void> }) {
  const thresholds: Thresholds = version.thresholds ?? {};
  const classes = Object.keys(thresholds);
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(() => Object.fromEntries(classes.map((c) => [c, { score: String(thresholds[c].score), mask: String(thresholds[c].mask) }])));
  const [answer, setAnswer] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(values: Record<string, { score: number; mask: number }> | null) {
    setBusy(true);
    try {
      const r = await api<{ scoreJobId: string | null }>(`/api/models/${version.id}/thresholds`, { method: 'PUT', json: { thresholds: values } });
      setAnswer({ text: `Saved${r.scoreJobId ? '; proposals are being recomputed' : ''}`, ok: true });
      setOpen(false);
      await onSaved();
    } catch (e) {
      setAnswer({ text: (e as Error).message, ok: false });
    } finally {
      setBusy(false);
    }
  }

  const parsedDraft = () => Object.fromEntries(classes.map((c) => [c, { score: Number(draft[c].score), mask: Number(draft[c].mask) }]));

  return (
    <div className="stack tight thresholds" data-testid={`thresholds-${version.number}`}>
      <ul className="plain small-text">
        {classes.map((c) => (
          <li key={c} title={SOURCE_TEXT[thresholds[c].source]}>
            {c}: score ≥ {dec(thresholds[c].score, 2)}, mask {dec(thresholds[c].mask, 2)} <span className="muted">({SOURCE_TEXT[thresholds[c].source]})</span>
          </li>
        ))}
      </ul>
      {!open ? (
        <button type="button" className="link small-text" onClick={() => setOpen(true)}>Edit thresholds</button>
      ) : (
        <form className="stack tight" onSubmit={(e) => { e.preventDefault(); void save(parsedDraft()); }}>
          {classes.map((c) => (
            <fieldset key={c} className="row nowrap small-text">
              <legend>{c}</legend>
              <label>score <input type="number" min={0} max={1} step={0.05} required value={draft[c].score} aria-label={`${c} score threshold`}
                onChange={(e) => setDraft((d) => ({ ...d, [c]: { ...d[c], score: e.target.value } }))} /></label>
              <label>mask <input type="number" min={0.05} max={0.95} step={0.05} required value={draft[c].mask} aria-label={`${c} mask threshold`}
                onChange={(e) => setDraft((d) => ({ ...d, [c]: { ...d[c], mask: e.target.value } }))} /></label>
            </fieldset>
          ))}
          <div className="row nowrap">
            <button type="submit" disabled={busy}>Save</button>
            <button type="button" disabled={busy} onClick={() => void save(null)}>Use calibrated</button>
            <button type="button" disabled={busy} onClick={() => setOpen(false)}>Cancel</button>
          </div>
        </form>
      )}
      {answer && <p className={answer.ok ? 'ok-text small-text' : 'error small-text'} role="status">{answer.text}</p>}
    </div>
  );
}
