/**
 * The editor's conversations with the server, in one client module: saving the annotation (a stale save answered
 * 409 is either the same work delivered twice, or a real conflict carrying the server's state), the lease
 * heartbeat, the next slice from the queue and submitting for review. Network failures and 5xx throw (autosave
 * retries those); every other answer is a value.
 */
import type { EditorState } from '@/lib/annotations/service';
import type { SavePayload, SendResult } from './autosave';
import { sameWorkAsServer } from './document';

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface SaveExtras {
  /** Active editing time since the last save, ms. */
  activeMs: number;
  /** The model version whose proposals the annotation started from, if any. */
  proposalVersionId: string | null;
}

/** The longest active time one save reports (the API's bound). */
const MAX_ACTIVE_MS = 3_600_000;

export function saveBody(p: SavePayload, extras: SaveExtras): string {
  return JSON.stringify({
    baseVersion: p.baseVersion,
    activeMs: Math.min(extras.activeMs, MAX_ACTIVE_MS),
    ...(extras.proposalVersionId ? { proposalVersionId: extras.proposalVersionId } : {}),
    polygons: p.doc.polygons.map((pl) => ({ id: p.ids[pl.key], clientKey: pl.key, lesionClass: pl.lesionClass, points: pl.points, holes: pl.holes })),
    sliceClass: p.doc.sliceClass,
    unsure: p.doc.unsure,
  });
}

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const errorOf = (body: { error?: unknown }, fallback: string) => (typeof body.error === 'string' ? body.error : fallback);

export function editorApi(sliceId: string, fetchImpl: Fetch = (input, init) => fetch(input, init)) {
  return {
    async save(payload: SavePayload, extras: SaveExtras): Promise<SendResult> {
      const res = await fetchImpl(`/api/slices/${sliceId}/annotations`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: saveBody(payload, extras) });
      if (res.status >= 500) throw new Error(`server error ${res.status}`);
      const body = await res.json().catch(() => ({}));
      if (res.status === 409) {
        const current = body.details?.current as EditorState | undefined;
        // The same edits delivered twice (a closing page and its reload): nothing to resolve.
        const ids = current ? sameWorkAsServer(payload.doc, current) : null;
        if (current && ids) return { kind: 'ok', version: current.version, ids };
        return { kind: 'conflict', current, version: current?.version ?? payload.baseVersion };
      }
      if (!res.ok) return { kind: 'invalid', message: errorOf(body, `HTTP ${res.status}`) };
      return { kind: 'ok', version: body.version, ids: body.ids };
    },

    /** Keeps the annotator's lease alive while the page is open; a lost beat is harmless (the next one renews). */
    async heartbeat(): Promise<void> {
      await fetchImpl(`/api/slices/${sliceId}/lease`, { method: 'POST' }).catch(() => undefined);
    },

    /** Leases the next slice of the queue (giving this one back first when skipping); null when the queue is empty. */
    async next(skip: boolean): Promise<{ ok: true; sliceId: string | null } | { ok: false; error: string }> {
      const res = await fetchImpl('/api/queue/next', json(skip ? { skip: sliceId } : {}));
      const body = await res.json().catch(() => ({}));
      if (!res.ok) return { ok: false, error: errorOf(body, 'Could not get the next slice') };
      return { ok: true, sliceId: typeof body.sliceId === 'string' ? body.sliceId : null };
    },

    async submit(baseVersion: number): Promise<{ ok: true } | { ok: false; error: string }> {
      const res = await fetchImpl(`/api/slices/${sliceId}/submit`, json({ baseVersion }));
      const body = await res.json().catch(() => ({}));
      return res.ok ? { ok: true } : { ok: false, error: errorOf(body, 'Submit failed') };
    },
  };
}

export type EditorApi = ReturnType<typeof editorApi>;
