'use client';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { applyWindow, type Window } from '@/lib/imaging/window';

export interface SlicePixels {
  width: number;
  height: number;
  kind: 'HU' | 'WINDOWED';
  values: Int16Array | Uint8Array;
}

/** Prefetched slices kept at most (the next one or two), and for how long an unused one stays usable. */
const PREFETCH_LIMIT = 3;
const PREFETCH_MAX_AGE_MS = 30_000;

async function fetchPixels(sliceId: string): Promise<SlicePixels> {
  const res = await fetch(`/api/slices/${sliceId}/pixels`);
  if (!res.ok) throw new Error(`could not load the image (${res.status})`);
  const kind = res.headers.get('X-Pixel-Kind') === 'HU' ? 'HU' : 'WINDOWED';
  const width = Number(res.headers.get('X-Width'));
  const height = Number(res.headers.get('X-Height'));
  const buffer = await res.arrayBuffer();
  const values = kind === 'HU' ? new Int16Array(buffer) : new Uint8Array(buffer);
  if (values.length !== width * height) throw new Error('could not load the image (size mismatch)');
  return { width, height, kind, values };
}

interface Prefetch {
  startedAt: number;
  pixels: Promise<SlicePixels>;
  /** Set once the request has completed. */
  loaded?: SlicePixels;
}

/** Pixel requests started before the editor mounts, by slice id; each is handed out once. */
const prefetched = new Map<string, Prefetch>();

/**
 * Starts loading a slice's pixels now, e.g. as soon as the queue names the next slice, so the request runs while
 * the page navigates and the editor loads instead of after its first render.
 */
export function prefetchPixels(sliceId: string): void {
  if (prefetched.has(sliceId)) return;
  const entry: Prefetch = { startedAt: Date.now(), pixels: fetchPixels(sliceId) };
  // A failed prefetch is only a missed head start: usePixels fetches again.
  entry.pixels.then((p) => (entry.loaded = p)).catch(() => undefined);
  prefetched.set(sliceId, entry);
  // A Map iterates in insertion order: the first key is the oldest prefetch.
  while (prefetched.size > PREFETCH_LIMIT) prefetched.delete(prefetched.keys().next().value!);
}

const usable = (sliceId: string) => {
  const entry = prefetched.get(sliceId);
  return entry && Date.now() - entry.startedAt <= PREFETCH_MAX_AGE_MS ? entry : null;
};

/** The prefetched pixels of exactly this slice (a fresh request if that one failed), or null; removes the entry. */
function takePrefetched(sliceId: string): Promise<SlicePixels> | null {
  const entry = usable(sliceId);
  prefetched.delete(sliceId);
  return entry ? entry.pixels.catch(() => fetchPixels(sliceId)) : null;
}

/** Fetches the slice's stored pixels once (raw HU or 8-bit values), taking over a prefetch of it if one runs. */
export function usePixels(sliceId: string): { pixels: SlicePixels | null; error: string | null } {
  // Pixels that arrived before the editor mounted are there from its first render (the effect then sets the same).
  const [pixels, setPixels] = useState<SlicePixels | null>(() => usable(sliceId)?.loaded ?? null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    (takePrefetched(sliceId) ?? fetchPixels(sliceId))
      .then((p) => !cancelled && setPixels(p))
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [sliceId]);
  return { pixels, error };
}

/**
 * A canvas holding the pixels through the current window; redrawn (not reallocated) when the window changes.
 * A layout effect: the image is ready in the same frame as the rest of the editor, not one paint later.
 */
export function useWindowedCanvas(pixels: SlicePixels | null, win: Window, onDrawn: () => void): HTMLCanvasElement | null {
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null);
  const onDrawnRef = useRef(onDrawn);
  onDrawnRef.current = onDrawn;
  useLayoutEffect(() => {
    if (!pixels) return;
    let c = canvasRef.current;
    if (!c || c.width !== pixels.width || c.height !== pixels.height) {
      c = document.createElement('canvas');
      c.width = pixels.width;
      c.height = pixels.height;
      canvasRef.current = c;
    }
    const ctx = c.getContext('2d')!;
    const image = ctx.createImageData(pixels.width, pixels.height);
    const grey = applyWindow(pixels.values, win);
    const rgba = image.data;
    for (let i = 0, j = 0; i < grey.length; i++, j += 4) {
      rgba[j] = rgba[j + 1] = rgba[j + 2] = grey[i];
      rgba[j + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    if (canvas !== c) setCanvas(c);
    onDrawnRef.current();
  }, [pixels, win.width, win.level]); // eslint-disable-line react-hooks/exhaustive-deps
  return canvas;
}
