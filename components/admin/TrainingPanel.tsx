'use client';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { shortTime } from '@/components/charts/format';
import { LineChartFigure } from '@/components/charts/LineChartFigure';
import type { JobProgress } from '@/lib/jobs/types';
import { api } from './http';
import { ProgressBar } from './ProgressBar';

export interface JobRow {
  id: string;
  type: string;
  status: string;
  progress: JobProgress | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  resultVersionId: string | null;
  createdBy: { name: string } | null;
}

interface JobDetail extends JobRow {
  config: Record<string, unknown>;
  lossHistory: { step: number; epoch?: number; loss: number }[] | null;
  log: string;
  cancelRequested: boolean;
}

export interface TrainingOptions {
  presets: readonly string[];
  maskTypes: readonly string[];
  classifierModes: readonly string[];
  segmenterDefaults: { preset: string; maskType: string; epochs: number; timeBudgetMin: number; lrHint: string; fineTune: boolean; includeSubmitted: boolean };
  classifierDefaults: { mode: string; epochs: number; timeBudgetMin: number };
}

const ACTIVE = new Set(['QUEUED', 'RUNNING']);

/** Steps (or epochs) done of the total, from whatever the handler reports. */
function progressOf(p: JobProgress | null): { done: number; total: number | null } {
  if (p?.totalSteps) return { done: p.step ?? 0, total: p.totalSteps };
  if (p?.totalEpochs) return { done: p.epoch ?? 0, total: p.totalEpochs };
  return { done: p?.step ?? 0, total: null };
}

function JobView({ id, onChange }: { id: string; onChange: () => void }) {
  const [job, setJob] = useState<JobDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const { job: next } = await api<{ job: JobDetail }>(`/api/jobs/${id}`);
      setJob(next);
      setError(null);
      return next;
    } catch (e) {
      setError((e as Error).message);
      return null;
    }
  }, [id]);

  // Every second while the job is queued or running; once more when it ends, so the list catches up.
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      const next = await load();
      if (stopped) return;
      if (!next || ACTIVE.has(next.status)) timer = setTimeout(tick, 1000);
      else onChange();
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [load, onChange]);

  async function cancel() {
    try {
      await api(`/api/jobs/${id}/cancel`, { method: 'POST' });
      await load();
      onChange();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  if (!job) return <p className="muted">{error ?? 'Loading the job…'}</p>;
  const { done, total } = progressOf(job.progress);
  const p = job.progress;
  return (
    <section className="card stack" data-testid="job-detail" data-status={job.status}>
      <div className="row">
        <h3>{job.type}</h3>
        <span className={`badge ${job.status}`}>{job.status.toLowerCase()}</span>
        {job.cancelRequested && ACTIVE.has(job.status) && <span className="muted">cancelling…</span>}
        <span className="spacer" />
        {ACTIVE.has(job.status) && <button type="button" onClick={cancel} disabled={job.cancelRequested}>Cancel</button>}
      </div>
      <ProgressBar done={done} total={total} label="Training progress" testId="job-progress" active={ACTIVE.has(job.status)} />
      <span className="muted small-text">
        {total ? `${done} / ${total} ${p?.totalSteps ? 'steps' : 'epochs'}` : job.status === 'QUEUED' ? 'waiting for a worker' : ''}
        {p?.epoch !== undefined && p?.totalEpochs ? ` · epoch ${p.epoch}/${p.totalEpochs}` : ''}
        {p?.etaS !== undefined && ACTIVE.has(job.status) ? ` · about ${Math.ceil(p.etaS / 60)} min left` : ''}
        {p?.message ? ` · ${p.message}` : ''}
      </span>
      {job.error && <p className="error">{job.error}</p>}
      {error && <p className="error">{error}</p>}
      {job.lossHistory && job.lossHistory.length > 0 ? (
        <LineChartFigure rows={job.lossHistory} xKey="step" xLabel="Step" yDomain="auto" series={[{ key: 'loss', label: 'Loss' }]} height={220} label="Loss per step" />
      ) : (
        <p className="muted">No loss reported yet.</p>
      )}
      <details open={ACTIVE.has(job.status)}>
        <summary>Log</summary>
        <pre className="log" data-testid="job-log">{job.log || '(empty)'}</pre>
      </details>
      <details>
        <summary>Configuration</summary>
        <pre className="log">{JSON.stringify(job.config, null, 2)}</pre>
      </details>
    </section>
  );
}

export function TrainingPanel({ initialJobs, options }: { initialJobs: JobRow[]; options: TrainingOptions }) {
  const [jobs, setJobs] = useState(initialJobs);
  const [selected, setSelected] = useState<string | null>(initialJobs.find((j) => ACTIVE.has(j.status))?.id ?? initialJobs[0]?.id ?? null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const refresh = useCallback(async () => {
    try {
      setJobs((await api<{ jobs: JobRow[] }>('/api/jobs')).jobs);
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  }, []);

  // While anything is queued or running, the list's badges follow it.
  const anyActive = jobs.some((j) => ACTIVE.has(j.status));
  useEffect(() => {
    if (!anyActive) return;
    const timer = setInterval(refresh, 2000);
    return () => clearInterval(timer);
  }, [anyActive, refresh]);

  async function start(type: 'train-segmenter' | 'train-classifier', config: Record<string, unknown>) {
    try {
      const { job } = await api<{ job: JobRow }>('/api/jobs', { method: 'POST', json: { type, config } });
      setMessage({ text: `Queued ${type} (job ${job.id.slice(-6)})`, error: false });
      setSelected(job.id);
      await refresh();
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  }

  function submitSegmenter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    void start('train-segmenter', {
      preset: f.get('preset'), maskType: f.get('maskType'), epochs: Number(f.get('epochs')), timeBudgetMin: Number(f.get('timeBudgetMin')),
      ...(f.get('lr') ? { lr: Number(f.get('lr')) } : {}), fineTune: f.get('fineTune') === 'on', includeSubmitted: f.get('includeSubmitted') === 'on',
    });
  }

  function submitClassifier(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    void start('train-classifier', { mode: f.get('mode'), epochs: Number(f.get('epochs')), timeBudgetMin: Number(f.get('timeBudgetMin')) });
  }

  const s = options.segmenterDefaults;
  const c = options.classifierDefaults;
  return (
    <div className="stack">
      <div className="figures-grid">
        <form className="card stack" onSubmit={submitSegmenter} aria-label="Train the segmenter">
          <h3>Train the segmenter (Mask R-CNN)</h3>
          <div className="form-grid">
            <label>Preset<select name="preset" defaultValue={s.preset}>{options.presets.map((p) => <option key={p}>{p}</option>)}</select></label>
            <label>Mask type<select name="maskType" defaultValue={s.maskType}>{options.maskTypes.map((m) => <option key={m}>{m}</option>)}</select></label>
            <label>Epochs<input name="epochs" type="number" min={1} max={1000} defaultValue={s.epochs} required /></label>
            <label title="CPU time of the training: the same work on a busy machine, only slower">Time budget (CPU min)<input name="timeBudgetMin" type="number" min={0.1} step={0.1} defaultValue={s.timeBudgetMin} required /></label>
            <label title={s.lrHint}>Learning rate<input name="lr" type="number" min={0} max={1} step="any" placeholder="recipe" /></label>
          </div>
          <div className="row">
            <label className="inline"><input name="fineTune" type="checkbox" defaultChecked={s.fineTune} /> Fine-tune the active model (else the base model; untick to train from scratch)</label>
            <label className="inline"><input name="includeSubmitted" type="checkbox" defaultChecked={s.includeSubmitted} /> Include submitted slices</label>
          </div>
          <div><button className="primary" type="submit">Start segmenter training</button></div>
        </form>
        <form className="card stack" onSubmit={submitClassifier} aria-label="Train the classifier">
          <h3>Train classifier S</h3>
          <div className="form-grid">
            <label>Mode<select name="mode" defaultValue={c.mode}>{options.classifierModes.map((m) => <option key={m}>{m}</option>)}</select></label>
            <label>Epochs<input name="epochs" type="number" min={1} max={1000} defaultValue={c.epochs} required /></label>
            <label title="CPU time of the training">Time budget (CPU min)<input name="timeBudgetMin" type="number" min={0.1} step={0.1} defaultValue={c.timeBudgetMin} required /></label>
          </div>
          <p className="muted small-text">heads: module S only · heads+bn: S and batch-norm layers · full: the whole model (the paper&apos;s three ways).</p>
          <div><button className="primary" type="submit">Start classifier training</button></div>
        </form>
      </div>
      {message && <p className={message.error ? 'error' : 'ok-text'} role="status">{message.text}</p>}
      <div className="split">
        <section className="card">
          <h3>Jobs</h3>
          {jobs.length === 0 ? <p className="muted">No jobs yet.</p> : (
            <div className="table-scroll">
            <table className="figures wrap-cells" data-testid="job-list">
              <thead><tr><th>Job</th><th>Status</th><th>Progress</th><th>By</th><th>Created</th></tr></thead>
              <tbody>
                {jobs.map((j) => {
                  const { done, total } = progressOf(j.progress);
                  return (
                    <tr key={j.id} className={j.id === selected ? 'highlight clickable' : 'clickable'} onClick={() => setSelected(j.id)}>
                      <td><button type="button" className="link" onClick={() => setSelected(j.id)}>{j.type}</button></td>
                      <td><span className={`badge ${j.status}`}>{j.status.toLowerCase()}</span></td>
                      <td>{total ? `${Math.round((100 * done) / total)}%` : '—'}</td>
                      <td>{j.createdBy?.name ?? '—'}</td>
                      <td>{shortTime(j.createdAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            </div>
          )}
        </section>
        {selected ? <JobView key={selected} id={selected} onChange={refresh} /> : <p className="muted">Start a job or pick one from the list.</p>}
      </div>
    </div>
  );
}
