/**
 * Ordered read-ahead: starts the work for the next `ahead` items while the caller handles the current one, and
 * hands results back in the items' order (so errors and progress come out in input order). Bounded: at most
 * `ahead` items are being prepared beyond the one in hand, which bounds the memory decoded slices take.
 */
export async function* readAhead<T, R>(items: readonly T[], start: (item: T) => Promise<R>, ahead = 1): AsyncGenerator<R> {
  if (!(Number.isInteger(ahead) && ahead >= 0)) throw new Error(`readAhead: ahead must be a whole number ≥ 0, got ${ahead}`);
  const pending: Promise<R>[] = [];
  let next = 0;
  const fill = (upTo: number) => {
    while (next < items.length && pending.length < upTo) pending.push(start(items[next++]));
  };
  try {
    fill(1);
    while (pending.length > 0) {
      const current = await pending.shift()!;
      fill(ahead);
      yield current;
      fill(1);
    }
  } finally {
    // The caller stopped early (or one item failed): what was started ahead is dropped, its failure unheard.
    for (const p of pending) p.catch(() => undefined);
  }
}
