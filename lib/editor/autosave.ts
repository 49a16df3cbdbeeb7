/**
 * Autosave for the editor, free of React so it can be tested with fake transport, storage and clock.
 *
 * - Every change is written at once to local storage (with the version it is based on), so nothing is lost if the
 *   tab closes, the server is down or the browser crashes; it is removed only when the server has confirmed it.
 * - A save goes out `delayMs` after the last change; one save at a time; changes made meanwhile go in the next.
 * - 409 → status 'conflict' with the server's state; the user picks `discardMine()` or `keepMine()` (re-send based on
 *   the server's version, which the server stores as new revisions: nothing of either person is lost).
 * - A network failure → status 'offline' and retries with back-off; `retryNow()` on the browser's online event.
 * - Polygons the server would refuse are left out of the save by the transport and reported as `refused`: the rest
 *   is stored, status 'error' names them, and the work stays in local storage until an edit fixes them.
 */
import type { EditorDoc } from './document';

export type SaveStatus = 'saved' | 'dirty' | 'saving' | 'offline' | 'conflict' | 'error';

export interface SavePayload {
  baseVersion: number;
  doc: EditorDoc;
  /** Database id by polygon key, for polygons the server already has. */
  ids: Record<string, string>;
}

/** A polygon the server would refuse (or did): kept in the editor and in local storage, left out of the save. */
export interface RefusedPolygon {
  key: string;
  message: string;
}

export type SendResult =
  /** Saved; `refused` polygons were left out (the rest of the work, slice class included, is stored). */
  | { kind: 'ok'; version: number; ids: Record<string, string>; refused?: RefusedPolygon[] }
  | { kind: 'conflict'; current: unknown; version: number }
  | { kind: 'invalid'; message: string };

export interface AutosaveDeps {
  /** Throws on network failure; resolves with the server's answer otherwise. */
  send(payload: SavePayload): Promise<SendResult>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  storageKey: string;
  onStatus(status: SaveStatus, detail?: { message?: string; current?: unknown; refused?: RefusedPolygon[] }): void;
  /** The server's ids for new polygons, and the new version after each confirmed save. */
  onSaved(version: number, ids: Record<string, string>): void;
  delayMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface PendingEdit {
  baseVersion: number;
  doc: EditorDoc;
  ids: Record<string, string>;
  at: number;
}

const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

export class AutosaveController {
  private version: number;
  private ids: Record<string, string>;
  private latest: EditorDoc | null = null;
  private inFlight = false;
  private timer: unknown = null;
  private failures = 0;
  private status: SaveStatus = 'saved';
  private readonly delayMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly deps: AutosaveDeps, baseVersion: number, ids: Record<string, string>) {
    this.version = baseVersion;
    this.ids = { ...ids };
    this.delayMs = deps.delayMs ?? 800;
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** Work left in local storage by an earlier page (a crash, a closed tab, an offline session). */
  static pending(storage: AutosaveDeps['storage'], key: string): PendingEdit | null {
    try {
      const raw = storage.getItem(key);
      return raw ? (JSON.parse(raw) as PendingEdit) : null;
    } catch {
      return null;
    }
  }

  get baseVersion(): number {
    return this.version;
  }

  get hasUnsaved(): boolean {
    return this.latest !== null;
  }

  /** Records a change: kept locally now, sent after the debounce delay. */
  change(doc: EditorDoc): void {
    this.latest = doc;
    this.persist();
    if (this.status === 'conflict') return; // wait for the user's decision
    this.setStatus(this.status === 'offline' ? 'offline' : 'dirty');
    this.schedule(this.delayMs);
  }

  /** Sends now (leaving the page, submitting); resolves when nothing is left unsaved or it failed. */
  async flush(): Promise<boolean> {
    this.cancelTimer();
    while (this.inFlight) await new Promise((r) => setTimeout(r, 20));
    if (this.latest && this.status !== 'conflict') await this.saveNow();
    return this.latest === null;
  }

  retryNow(): void {
    if (this.latest && this.status === 'offline') this.schedule(0);
  }

  /** Conflict resolution: keep my work, re-sent on top of the server's version (stored as new revisions). */
  keepMine(serverVersion: number): void {
    this.version = serverVersion;
    this.setStatus('dirty');
    this.persist();
    this.schedule(0);
  }

  /** Conflict resolution: drop my unsaved work and continue from the server's state. */
  discardMine(serverVersion: number, ids: Record<string, string>): void {
    this.version = serverVersion;
    this.ids = { ...ids };
    this.latest = null;
    this.deps.storage.removeItem(this.deps.storageKey);
    this.setStatus('saved');
  }

  dispose(): void {
    this.cancelTimer();
  }

  private persist(): void {
    if (!this.latest) return;
    const pending: PendingEdit = { baseVersion: this.version, doc: this.latest, ids: this.ids, at: Date.now() };
    try {
      this.deps.storage.setItem(this.deps.storageKey, JSON.stringify(pending));
    } catch {
      // Storage full or blocked: the server save still goes ahead; nothing else to do here.
    }
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.saveNow();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  private setStatus(status: SaveStatus, detail?: { message?: string; current?: unknown; refused?: RefusedPolygon[] }): void {
    this.status = status;
    this.deps.onStatus(status, detail);
  }

  private async saveNow(): Promise<void> {
    if (this.inFlight || !this.latest) return;
    const doc = this.latest;
    this.inFlight = true;
    this.setStatus('saving');
    let result: SendResult;
    try {
      result = await this.deps.send({ baseVersion: this.version, doc, ids: this.ids });
    } catch {
      this.inFlight = false;
      this.failures++;
      this.setStatus('offline');
      this.schedule(RETRY_MS[Math.min(this.failures - 1, RETRY_MS.length - 1)]);
      return;
    }
    this.inFlight = false;
    this.failures = 0;
    if (result.kind === 'conflict') {
      this.setStatus('conflict', { current: result.current });
      return;
    }
    if (result.kind === 'invalid') {
      this.setStatus('error', { message: result.message });
      return;
    }
    this.version = result.version;
    this.ids = { ...this.ids, ...result.ids };
    this.deps.onSaved(result.version, result.ids);
    if (this.latest === doc && result.refused?.length) {
      // Everything else is stored; the refused shapes stay here (and in storage) until an edit fixes or deletes them.
      this.persist();
      const message = `${result.refused.map((r) => r.message).join('; ')} — kept in this browser until fixed; everything else is saved`;
      this.setStatus('error', { message, refused: result.refused });
    } else if (this.latest === doc) {
      this.latest = null;
      this.deps.storage.removeItem(this.deps.storageKey);
      this.setStatus('saved');
    } else {
      this.persist();
      this.setStatus('dirty');
      this.schedule(0);
    }
  }
}
