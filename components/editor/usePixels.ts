'use client';
import { useEffect, useRef, useState } from 'react';
import { applyWindow, type Window } from '@/lib/imaging/window';

export interface SlicePixels {
  width: number;
  height: number;
  kind: 'HU' | 'WINDOWED';
  values: Int16Array | Uint8Array;
}

/** Fetches the slice's stored pixels once (raw HU or 8-bit values). */
export function usePixels(sliceId: string): { pixels: SlicePixels | null; error: string | null } {
  const [pixels, setPixels] = useState<SlicePixels | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const res = await fetch(`/api/slices/${sliceId}/pixels`);
      if (!res.ok) throw new Error(`could not load the image (${res.status})`);
      const kind = res.headers.get('X-Pixel-Kind') === 'HU' ? 'HU' : 'WINDOWED';
      const width = Number(res.headers.get('X-Width'));
      const height = Number(res.headers.get('X-Height'));
      const buffer = await res.arrayBuffer();
      const values = kind === 'HU' ? new Int16Array(buffer) : new Uint8Array(buffer);
      if (!cancelled) setPixels({ width, height, kind, values });
    })().catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [sliceId]);
  return { pixels, error };
}

/** A canvas holding the pixels through the current window; redrawn (not reallocated) when the window changes. */
export function useWindowedCanvas(pixels: SlicePixels | null, win: Window, onDrawn: () => void): HTMLCanvasElement | null {
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null);
  const onDrawnRef = useRef(onDrawn);
  onDrawnRef.current = onDrawn;
  useEffect(() => {
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
