/**
 * Where to go after signing in: only a path of this app. The raw value is resolved the way a browser would resolve
 * it (backslashes are slashes, tabs and newlines vanish, so `/\evil.example` and `/<TAB>/evil.example` are
 * `//evil.example`), and accepted only when that lands on our own origin; the answer is the normalised path.
 */
const BASE = 'http://ctms.invalid';

export function safeCallbackPath(raw: string | null | undefined, fallback = '/slices'): string {
  if (!raw || raw.length > 2000 || !raw.startsWith('/')) return fallback;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = url.pathname + url.search + url.hash;
  // What comes out is re-parsed the same way by the browser; it must still start with a single slash.
  return path.startsWith('/') && !path.startsWith('//') ? path : fallback;
}
