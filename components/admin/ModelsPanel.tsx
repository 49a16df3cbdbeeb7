'use client';
import { useState } from 'react';
import { dec, pct, shortTime } from '@/components/charts/format';
import { classifierVersions, segmenterVersions, type SegmenterVersion, type VersionRecord } from '@/lib/dashboard/versions';
import { api } from './http';
import { ThresholdsEditor } from './ThresholdsEditor';

interface PromotionResult {
  promoted: boolean;
  reason: string;
}

/** Model versions per kind, with the promotion gate (Promote) and the admin's override (Roll back / Promote anyway). */
export function ModelsPanel({ initialVersions }: { initialVersions: VersionRecord[] }) {
  const [versions, setVersions] = useState(initialVersions);
  const [answers, setAnswers] = useState<Record<string, { text: string; ok: boolean }>>({});
  const [busy, setBusy] = useState<string | null>(null);

  const reload = async () => setVersions((await api<{ versions: VersionRecord[] }>('/api/models')).versions);

  async function promote(id: string, force: boolean) {
    setBusy(id);
    try {
      const result = await api<PromotionResult>(`/api/models/${id}/promote`, { method: 'POST', json: { force } });
      setAnswers((a) => ({ ...a, [id]: { text: `${result.promoted ? 'Promoted' : 'Not promoted'}: ${result.reason}`, ok: result.promoted } }));
      await reload();
    } catch (e) {
      setAnswers((a) => ({ ...a, [id]: { text: (e as Error).message, ok: false } }));
    } finally {
      setBusy(null);
    }
  }

  const kinds = [
    { kind: 'segmenter', title: 'Segmenter (Mask R-CNN)', gate: 'validation Dice (mean)', rows: segmenterVersions(versions).reverse(), figures: (m: ReturnType<typeof segmenterVersions>[number]['metrics']) => (m ? `AP@0.5 ${dec(m.maskAP50.mean)} · mAP ${dec(m.mAP.mean)} · Dice GGO ${dec(m.dice.GGO)} · C ${dec(m.dice.C)}${m.proposalsPerSlice !== undefined ? ` · ${dec(m.proposalsPerSlice, 1)} proposals/slice` : ''}` : '—') },
    { kind: 'classifier', title: 'Classifier S', gate: 'validation accuracy', rows: classifierVersions(versions).reverse(), figures: (m: ReturnType<typeof classifierVersions>[number]['metrics']) => (m ? `accuracy ${pct(m.accuracy)} · ` + m.classNames.map((c) => `${c} ${pct(m.sensitivity[c])} (${pct(m.precision[c])})`).join(' · ') : '—') },
  ] as const;

  return (
    <div className="stack">
      {kinds.map(({ kind, title, gate, rows, figures }) => {
        const active = rows.find((v) => v.active);
        return (
          <section key={kind} className="card stack" data-testid={`models-${kind}`}>
            <h3>{title}</h3>
            {rows.length === 0 ? <p className="muted">No {kind} version yet.</p> : (
              <div className="table-scroll">
                <table className="figures">
                  <thead><tr><th>Version</th><th>Created</th><th>Labelled slices</th><th title={`The promotion gate compares ${gate}`}>Gate ({gate})</th><th>Key metrics</th>{kind === 'segmenter' && <th title="Per class: the score a detection needs to be proposed, and the mask probability its outline follows">Proposal thresholds</th>}<th /></tr></thead>
                  <tbody>
                    {rows.map((v) => (
                      <tr key={v.id} className={v.active ? 'highlight' : undefined} data-testid={`version-${kind}-${v.number}`}>
                        <td>v{v.number} {v.label && <span className="badge" title="Shipped with CT-Mask Studio, trained on public data">{v.label}</span>} {v.active && <span className="badge ACCEPTED">active</span>}</td>
                        <td>{shortTime(v.createdAt)}</td>
                        <td>{v.labelledSlices}</td>
                        <td>{dec(v.gateMetric, 4)}</td>
                        <td className="small-text wrap">
                          {figures(v.metrics as never)}
                          {kind === 'segmenter' && (v.metrics as SegmenterVersion['metrics'])?.proposalsPerSlice === 0 && (
                            <p className="error small-text" data-testid="proposes-nothing">Proposes nothing on its validation slices at these thresholds: lower them, or train on more slices.</p>
                          )}
                        </td>
                        {kind === 'segmenter' && <td><ThresholdsEditor version={v as SegmenterVersion} onSaved={reload} /></td>}
                        <td className="actions">
                          {kind === 'segmenter' && <a href={`/api/models/${v.id}/onnx`} download title="The version as ONNX graphs with a JSON sidecar, to run with onnxruntime outside the tool (README: Running a model outside the tool)">Download ONNX</a>}
                          {!v.active && (
                            <div className="row nowrap">
                              <button type="button" disabled={busy !== null} onClick={() => promote(v.id, false)}>Promote</button>
                              <button type="button" disabled={busy !== null} onClick={() => promote(v.id, true)} title="Make it active whatever its validation figure">
                                {active && v.number < active.number ? 'Roll back' : 'Promote anyway'}
                              </button>
                            </div>
                          )}
                          {answers[v.id] && <p className={answers[v.id].ok ? 'ok-text small-text' : 'error small-text'} role="status">{answers[v.id].text}</p>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        );
      })}
    </div>
  );
}
