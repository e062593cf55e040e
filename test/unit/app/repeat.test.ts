import { describe, expect, it } from 'vitest';
import { repeat } from '../../../src/app/repeat.js';
import { waitFor } from '../../support/wait.js';

describe('repeat (the scheduler tick and the shard balancing loop)', () => {
  it('never overlaps runs, and never queues more behind a slow one', async () => {
    let running = 0;
    let overlapped = false;
    const starts: number[] = [];
    const ends: number[] = [];
    const ticks = repeat(
      async () => {
        running++;
        if (running > 1) overlapped = true;
        starts.push(Date.now());
        // The first runs are slow (MongoDB having a bad moment): far longer than the interval.
        await new Promise((resolve) => setTimeout(resolve, starts.length <= 2 ? 200 : 1));
        ends.push(Date.now());
        running--;
      },
      10,
      () => undefined,
    );
    await waitFor(() => starts.length >= 6, { message: 'six runs' });
    await ticks.stop();
    expect(overlapped).toBe(false);
    // Each run starts after the previous ended: a slow run delays the next instead of stacking runs behind it.
    for (let i = 1; i < starts.length; i++) expect(starts[i]!).toBeGreaterThanOrEqual(ends[i - 1]!);
  });

  it('keeps going after a failed run, and stops for good', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const ticks = repeat(
      async () => {
        runs++;
        if (runs === 1) throw new Error('first run failed');
      },
      5,
      (error) => errors.push(error),
    );
    await waitFor(() => runs >= 3);
    await ticks.stop();
    const stoppedAt = runs;
    expect(errors).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toBe(stoppedAt);
  });
});
