/** mulberry32: a tiny seeded PRNG, so a failing randomized test can be replayed from its seed. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** An integer in 0 … n-1. */
  const below = (n: number): number => Math.floor(next() * n);
  return {
    next,
    below,
    /** An integer in lo … hi, both included. */
    between: (lo: number, hi: number): number => lo + below(hi - lo + 1),
    pick: <T>(items: readonly T[]): T => items[below(items.length)] as T,
  };
}
