/** Nearest-rank percentile of unsorted samples: an observed value, never an interpolation. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export const ms = (value: number): string => (Number.isNaN(value) ? 'n/a' : value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`);

export const perSecond = (count: number, elapsedMs: number): number => (elapsedMs > 0 ? (count * 1000) / elapsedMs : 0);

export const grouped = (value: number): string => Math.round(value).toLocaleString('en-US');

export const mib = (kib: number | null): string => (kib === null ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);

/** A rate as a share of the limit: two decimals below 10%, where most end-to-end figures sit. */
export const ofLimit = (rate: number, limit: number): string => {
  if (!(limit > 0)) return 'n/a';
  const pct = (rate / limit) * 100;
  return `${pct < 10 ? pct.toFixed(2) : pct.toFixed(0)}%`;
};
