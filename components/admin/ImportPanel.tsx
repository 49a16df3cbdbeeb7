'use client';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { shortTime } from '@/components/charts/format';
import type { UploadStatus } from '@/lib/uploads/importUpload';
import { api } from './http';
import { ProgressBar } from './ProgressBar';

/** Sends the zip with XMLHttpRequest, the one browser API that reports upload progress. */
function upload(file: File, studyFrom: string, onProgress: (sent: number, total: number) => void): Promise<UploadStatus> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/imports?name=${encodeURIComponent(file.name)}&studyFrom=${studyFrom}`);
    xhr.setRequestHeader('content-type', 'application/zip');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.total || file.size);
    xhr.onload = () => {
      let body: { import?: UploadStatus; error?: string } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: fall through to the status line */
      }
      if (xhr.status === 202 && body.import) resolve(body.import);
      else reject(new Error(body.error ?? `Upload failed: ${xhr.status} ${xhr.statusText}`));
    };
    xhr.onerror = () => reject(new Error('Upload failed: the connection to the server was lost'));
    xhr.send(file);
  });
}

function Summary({ status }: { status: UploadStatus }) {
  const s = status.summary;
  return (
    <div className="stack" data-testid="import-result">
      {s && (
        <p data-testid="import-summary">
          {s.files} CT files · {s.studies} {s.studies === 1 ? 'study' : 'studies'} · <strong>{s.slicesAdded} slices added</strong>
          {s.slicesSkipped > 0 && ` · ${s.slicesSkipped} already present`} · {s.annotationsAdded} polygons · {s.labelsAdded} slice classes
          {s.skipped.length > 0 && <span className="muted"> · {s.skipped.length} other {s.skipped.length === 1 ? 'file' : 'files'} ignored (not CT images)</span>}
        </p>
      )}
      {status.errors.length > 0 ? (
        <table className="figures" data-testid="import-errors">
          <caption className="error">{status.errors.length} {status.errors.length === 1 ? 'file' : 'files'} could not be imported</caption>
          <thead><tr><th>File</th><th>Problem</th></tr></thead>
          <tbody>{status.errors.map((e, i) => <tr key={i}><td>{e.file || '—'}</td><td>{e.message}</td></tr>)}</tbody>
        </table>
      ) : (
        status.state === 'done' && <p className="ok-text">No errors.</p>
      )}
    </div>
  );
}

export function ImportPanel({ recent }: { recent: UploadStatus[] }) {
  const [phase, setPhase] = useState<'idle' | 'uploading' | 'importing' | 'finished'>('idle');
  const [sent, setSent] = useState<[number, number]>([0, 0]);
  const [status, setStatus] = useState<UploadStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const poll = (id: string) => {
    timer.current = setTimeout(async () => {
      try {
        const { import: next } = await api<{ import: UploadStatus }>(`/api/imports/${id}`);
        setStatus(next);
        if (next.state === 'running') poll(id);
        else setPhase('finished');
      } catch (e) {
        setError((e as Error).message);
        setPhase('finished');
      }
    }, 500);
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0) return setError('Choose a .zip file first');
    setError(null);
    setStatus(null);
    setPhase('uploading');
    try {
      const started = await upload(file, String(form.get('studyFrom') ?? 'folder'), (a, b) => setSent([a, b]));
      setStatus(started);
      setPhase('importing');
      poll(started.id);
    } catch (e) {
      setError((e as Error).message);
      setPhase('idle');
    }
  }

  const busy = phase === 'uploading' || phase === 'importing';
  return (
    <div className="stack">
      <form className="card stack" onSubmit={submit}>
        <p className="muted">
          A .zip of DICOM series, NIfTI volumes or PNG/JPEG slices. Label masks go in a <code>masks/</code> folder (same file names as the
          slices; 0 background, 1 GGO, 2 consolidation, or binary 0/255), slice classes in <code>labels.csv</code> (columns <code>file,class</code>).
        </p>
        <div className="row">
          <label>Zip file<input type="file" name="file" accept=".zip,application/zip" required disabled={busy} /></label>
          <label>Studies<select name="studyFrom" defaultValue="folder" disabled={busy}>
            <option value="folder">one per folder of images</option>
            <option value="file">one per image file</option>
          </select></label>
          <button className="primary" type="submit" disabled={busy}>Upload and import</button>
        </div>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {phase === 'uploading' && (
        <div className="card stack">
          <span>Uploading… {sent[1] ? Math.round((100 * sent[0]) / sent[1]) : 0}%</span>
          <ProgressBar done={sent[0]} total={sent[1] || null} label="Upload" />
        </div>
      )}
      {status && (
        <div className="card stack" data-testid="import-status" data-state={status.state}>
          <div className="row">
            <strong>{status.name}</strong>
            <span className={`badge ${status.state === 'done' ? 'ACCEPTED' : status.state === 'failed' ? 'REJECTED' : 'IN_PROGRESS'}`}>{status.state}</span>
            <span className="muted">{status.masksDir ? `masks from ${status.masksDir}/` : 'no masks folder'} · {status.labelsCsv ? `classes from ${status.labelsCsv}` : 'no labels CSV'}</span>
          </div>
          <ProgressBar done={status.done} total={status.total || null} label="Import progress" testId="import-progress" active={status.state === 'running'} />
          <span className="muted small-text">{status.done} / {status.total || '?'} files{status.file && status.state === 'running' ? ` · ${status.file}` : ''}</span>
          {status.state !== 'running' && <Summary status={status} />}
        </div>
      )}
      {recent.length > 0 && (
        <section className="card">
          <h3>Earlier imports</h3>
          <table className="figures">
            <thead><tr><th>File</th><th>State</th><th>Slices added</th><th>Errors</th><th>Started</th></tr></thead>
            <tbody>
              {recent.map((r) => (
                <tr key={r.id}><td>{r.name}</td><td>{r.state}</td><td>{r.summary?.slicesAdded ?? '—'}</td><td>{r.errors.length}</td><td>{shortTime(r.startedAt)}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
