'use client';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { SeriesSummary } from '@/lib/dicomweb/search';
import type { PublicServer } from '@/lib/dicomweb/servers';
import type { JobProgress } from '@/lib/jobs/types';
import { api } from './http';
import { ProgressBar } from './ProgressBar';

type Server = Omit<PublicServer, 'createdAt'> & { createdAt: string };
type FoundSeries = SeriesSummary & { importedStudyId: string | null };
interface ImportJob {
  id: string;
  status: string;
  progress: JobProgress | null;
  error: string | null;
  log?: string;
}

const seriesKey = (s: Pick<SeriesSummary, 'seriesInstanceUid'>) => s.seriesInstanceUid;

/** Connect a server: credentials go to the server once and are never shown again (only "set"). */
function ServerForm({ onAdded }: { onAdded: (s: Server) => void }) {
  const [auth, setAuth] = useState<'none' | 'basic' | 'bearer'>('none');
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const f = new FormData(form);
    const credentials =
      auth === 'basic' ? { type: 'basic', username: String(f.get('username')), password: String(f.get('password')) } : auth === 'bearer' ? { type: 'bearer', token: String(f.get('token')) } : { type: 'none' };
    try {
      const { server } = await api<{ server: Server }>('/api/dicomweb/servers', { method: 'POST', json: { name: f.get('name'), baseUrl: f.get('baseUrl'), auth: credentials, timeoutS: Number(f.get('timeoutS')) } });
      setError(null);
      form.reset();
      setAuth('none');
      onAdded(server);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <form className="card stack" onSubmit={submit} aria-label="Connect a DICOMweb server">
      <h3>Connect a DICOMweb server</h3>
      <div className="form-grid">
        <label>Name<input name="name" required maxLength={80} placeholder="Hospital PACS" /></label>
        <label>DICOMweb root<input name="baseUrl" required type="url" placeholder="https://pacs.example.org/dicom-web" /></label>
        <label>Credentials<select aria-label="Authentication" value={auth} onChange={(e) => setAuth(e.target.value as typeof auth)}>
          <option value="none">none</option>
          <option value="basic">user name and password</option>
          <option value="bearer">bearer token</option>
        </select></label>
        {auth === 'basic' && <label>User<input name="username" required autoComplete="off" /></label>}
        {auth === 'basic' && <label>Password<input name="password" type="password" required autoComplete="new-password" /></label>}
        {auth === 'bearer' && <label>Token<input name="token" type="password" required autoComplete="off" /></label>}
        <label>Timeout (s)<input name="timeoutS" type="number" min={1} max={600} defaultValue={60} /></label>
      </div>
      <div className="row"><button className="primary" type="submit">Connect</button></div>
      {error && <p className="error" role="alert">{error}</p>}
    </form>
  );
}

/** One import job: progress by series, the log, and Resume once it failed or was cancelled. */
function ImportJobView({ id, onResumed }: { id: string; onResumed: (id: string) => void }) {
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      try {
        const { job: next } = await api<{ job: ImportJob }>(`/api/jobs/${id}`);
        if (stopped) return;
        setJob(next);
        if (next.status === 'QUEUED' || next.status === 'RUNNING') timer = setTimeout(tick, 700);
      } catch (e) {
        setError((e as Error).message);
      }
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);
  async function resume() {
    try {
      const { job: next } = await api<{ job: ImportJob }>(`/api/dicomweb/imports/${id}/resume`, { method: 'POST' });
      onResumed(next.id);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  if (!job) return error ? <p className="error">{error}</p> : null;
  const p = job.progress;
  return (
    <div className="card stack" data-testid="dicomweb-job" data-status={job.status}>
      <div className="row">
        <strong>Import job</strong>
        <span className={`badge ${job.status}`}>{job.status.toLowerCase()}</span>
        <span className="muted small-text">{p?.message}</span>
        <span className="spacer" />
        {(job.status === 'FAILED' || job.status === 'CANCELLED') && <button onClick={resume}>Resume</button>}
      </div>
      <ProgressBar done={p?.step ?? 0} total={p?.totalSteps ?? null} label="Series imported" active={job.status === 'RUNNING' || job.status === 'QUEUED'} />
      {job.error && <p className="error" data-testid="dicomweb-job-error">{job.error}</p>}
      {job.log && <pre className="log" data-testid="dicomweb-job-log">{job.log}</pre>}
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}

export function DicomWebPanel({ initialServers }: { initialServers: Server[] }) {
  const [servers, setServers] = useState(initialServers);
  const [serverId, setServerId] = useState(initialServers[0]?.id ?? '');
  const [found, setFound] = useState<FoundSeries[] | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);

  const remove = useCallback(async (id: string) => {
    try {
      await api(`/api/dicomweb/servers/${id}`, { method: 'DELETE' });
      setServers((s) => s.filter((x) => x.id !== id));
      if (serverId === id) setServerId('');
    } catch (e) {
      setError((e as Error).message);
    }
  }, [serverId]);

  async function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(event.currentTarget)) if (String(v).trim()) params.set(k, String(v).trim());
    setBusy(true);
    setError(null);
    try {
      const { series } = await api<{ series: FoundSeries[] }>(`/api/dicomweb/servers/${serverId}/search?${params}`);
      setFound(series);
      setChosen(new Set());
    } catch (e) {
      setError((e as Error).message);
      setFound(null);
    } finally {
      setBusy(false);
    }
  }

  async function startImport() {
    const series = (found ?? []).filter((s) => chosen.has(seriesKey(s))).map((s) => ({ studyInstanceUid: s.studyInstanceUid, seriesInstanceUid: s.seriesInstanceUid, label: s.seriesDescription ?? undefined }));
    try {
      const { job } = await api<{ job: { id: string } }>('/api/dicomweb/imports', { method: 'POST', json: { serverId, series } });
      setJobId(job.id);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const toggle = (key: string) => setChosen((c) => {
    const next = new Set(c);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    return next;
  });

  return (
    <div className="stack">
      <section className="card stack">
        <h3>Servers</h3>
        {servers.length === 0 ? <p className="muted">No DICOMweb server yet: connect one below.</p> : (
          <table className="figures" data-testid="dicomweb-servers">
            <thead><tr><th>Name</th><th>DICOMweb root</th><th>Credentials</th><th>Timeout</th><th /></tr></thead>
            <tbody>{servers.map((s) => (
              <tr key={s.id}><td>{s.name}</td><td>{s.baseUrl}</td><td>{s.authType === 'none' ? 'none' : `${s.authType} (set)`}</td><td>{s.timeoutS} s</td><td><button className="link" onClick={() => remove(s.id)}>Remove</button></td></tr>
            ))}</tbody>
          </table>
        )}
      </section>
      <ServerForm onAdded={(s) => { setServers((xs) => [...xs, s]); setServerId(s.id); }} />
      {servers.length > 0 && (
        <form className="card stack" onSubmit={search} aria-label="Search series">
          <h3>Find series</h3>
          <div className="form-grid">
            <label>Server<select aria-label="Server" value={serverId} onChange={(e) => setServerId(e.target.value)} required>
              <option value="" disabled>choose</option>
              {servers.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select></label>
            <label>Patient ID<input name="patientId" /></label>
            <label>Patient name<input name="patientName" /></label>
            <label>Study date from<input name="dateFrom" type="date" /></label>
            <label>to<input name="dateTo" type="date" /></label>
            <label>Modality<input name="modality" placeholder="CT" /></label>
            <label>Study description<input name="studyDescription" /></label>
            <label>Series description<input name="seriesDescription" /></label>
          </div>
          <div className="row"><button className="primary" type="submit" disabled={busy || !serverId}>{busy ? 'Searching…' : 'Search'}</button></div>
        </form>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      {found && (
        <section className="card stack">
          <h3>{found.length} series found</h3>
          {found.length > 0 && (
            <table className="figures" data-testid="dicomweb-results">
              <thead><tr><th /><th>Patient</th><th>Study date</th><th>Study</th><th>Series</th><th>Modality</th><th>Instances</th></tr></thead>
              <tbody>{found.map((s) => (
                <tr key={seriesKey(s)}>
                  <td>{s.importedStudyId ? <span className="muted">imported</span> : <input type="checkbox" aria-label={`Choose ${s.seriesDescription ?? s.seriesInstanceUid}`} checked={chosen.has(seriesKey(s))} onChange={() => toggle(seriesKey(s))} />}</td>
                  <td>{s.patientName ?? '—'} <span className="muted">{s.patientId}</span></td>
                  <td>{s.studyDate ?? '—'}</td>
                  <td>{s.studyDescription ?? '—'}</td>
                  <td>{s.seriesDescription ?? s.seriesInstanceUid}{s.seriesNumber !== null && <span className="muted"> #{s.seriesNumber}</span>}</td>
                  <td>{s.modality ?? '—'}</td>
                  <td>{s.instances ?? '?'}</td>
                </tr>
              ))}</tbody>
            </table>
          )}
          <div className="row"><button className="primary" onClick={startImport} disabled={chosen.size === 0}>Import {chosen.size} selected {chosen.size === 1 ? 'series' : 'series'}</button></div>
        </section>
      )}
      {jobId && <ImportJobView key={jobId} id={jobId} onResumed={setJobId} />}
    </div>
  );
}
