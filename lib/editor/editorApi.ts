/**
 * The editor's conversations with the server, in one client module: saving the annotation (a stale save answered
 * 409 is either the same work delivered twice, or a real conflict carrying the server's state), the lease
 * heartbeat, the next slice from the queue and submitting for review. Network failures and 5xx throw (autosave
 * retries those); every other answer is a value.
 */
import type { EditorState } from '@/lib/annotations/service';
import { validatePolygon } from '@/lib/annotations/polygon';
import type { LesionClass, Point } from '@/lib/imaging/contours';
import type { RefusedPolygon, SavePayload, SendResult } from './autosave';
import { sameWorkAsServer, type EditorPolygon } from './document';

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface SaveExtras {
  /** Active editing time since the last save, ms. */
  activeMs: number;
  /** The model version whose proposals the annotation started from, if any. */
  proposalVersionId: string | null;
}

/** The longest active time one save reports (the API's bound). */
const MAX_ACTIVE_MS = 3_600_000;

type Shape = { lesionClass: LesionClass; points: Point[]; holes: Point[][] };

export function saveBody(p: SavePayload, extras: SaveExtras, polygons: (Shape & { key: string })[] = p.doc.polygons): string {
  return JSON.stringify({
    baseVersion: p.baseVersion,
    activeMs: Math.min(extras.activeMs, MAX_ACTIVE_MS),
    ...(extras.proposalVersionId ? { proposalVersionId: extras.proposalVersionId } : {}),
    polygons: polygons.map((pl) => ({ id: p.ids[pl.key], clientKey: pl.key, lesionClass: pl.lesionClass, points: pl.points, holes: pl.holes })),
    sliceClass: p.doc.sliceClass,
    unsure: p.doc.unsure,
  });
}

/** How the server names a polygon of a request in its refusals ("polygon 3 (GGO) intersects itself …"). */
const SERVER_POLYGON_NAME = /polygon (\d+) \((GGO|C)\)/;
/** A refusal naming another polygon each time is retried without it at most this often. */
const MAX_REFUSAL_RETRIES = 3;

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const errorOf = (body: { error?: unknown }, fallback: string) => (typeof body.error === 'string' ? body.error : fallback);

/**
 * The polygons a save sends: each shape the server's own rule (validatePolygon) accepts; for one it would refuse,
 * the version last sent if the server has it (so the save does not delete it), else nothing; the refused are named
 * by their place in the document.
 */
export function savablePolygons(polygons: readonly EditorPolygon[], size: { width: number; height: number }, lastSent: Map<string, Shape>, refusedByServer: ReadonlyMap<string, string> = new Map()) {
  const send: (Shape & { key: string })[] = [];
  const refused: RefusedPolygon[] = [];
  polygons.forEach((p, k) => {
    const what = `polygon ${k + 1} (${p.lesionClass})`;
    const serverSays = refusedByServer.get(p.key);
    const check = serverSays ? { ok: false as const, error: serverSays.replace(SERVER_POLYGON_NAME, what) } : validatePolygon(p, size.width, size.height, what);
    if (check.ok) {
      lastSent.set(p.key, { lesionClass: p.lesionClass, points: p.points, holes: p.holes });
      send.push(p);
      return;
    }
    refused.push({ key: p.key, message: check.error });
    const previous = lastSent.get(p.key);
    if (previous) send.push({ key: p.key, ...previous });
  });
  return { send, refused };
}

export function editorApi(sliceId: string, size: { width: number; height: number }, fetchImpl: Fetch = (input, init) => fetch(input, init)) {
  // The last valid shape sent per polygon key: what stands in for it on the server while its edit is refused.
  const lastSent = new Map<string, Shape>();
  const put = async (payload: SavePayload, extras: SaveExtras, polygons: (Shape & { key: string })[]): Promise<SendResult> => {
    const res = await fetchImpl(`/api/slices/${sliceId}/annotations`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: saveBody(payload, extras, polygons) });
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
  };
  return {
    /** Saves the document; shapes the server would refuse are left out and reported, the rest is stored. */
    async save(payload: SavePayload, extras: SaveExtras): Promise<SendResult> {
      const refusedByServer = new Map<string, string>();
      for (let attempt = 0; ; attempt++) {
        const { send, refused } = savablePolygons(payload.doc.polygons, size, lastSent, refusedByServer);
        const result = await put(payload, extras, send);
        // The server refused a polygon the local rule let through: name it, and save the rest without it.
        const named = result.kind === 'invalid' ? SERVER_POLYGON_NAME.exec(result.message) : null;
        const culprit = named ? send[Number(named[1]) - 1] : undefined;
        if (result.kind === 'invalid' && culprit && attempt < MAX_REFUSAL_RETRIES) {
          refusedByServer.set(culprit.key, result.message);
          lastSent.delete(culprit.key);
          continue;
        }
        return result.kind === 'ok' && refused.length ? { ...result, refused } : result;
      }
    },

    /** Another slice's annotation (a neighbour in the study, to copy from); null when it cannot be read. */
    async annotationOf(otherSliceId: string): Promise<EditorState | null> {
      const res = await fetchImpl(`/api/slices/${otherSliceId}/annotations`).catch(() => null);
      return res?.ok ? ((await res.json()) as EditorState) : null;
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
