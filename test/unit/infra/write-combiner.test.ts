import { describe, expect, it } from 'vitest';
import { createWriteCombiner } from '../../../src/infra/mongo/write-combiner.js';

describe('the projector write combiner', () => {
  it('writes what arrives while a write is in flight together, in the next write', async () => {
    const flushes: string[][] = [];
    let release: () => void = () => undefined;
    const combiner = createWriteCombiner<string>(async (_generation, parts) => {
      flushes.push([...parts]);
      if (flushes.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = combiner.write(0, 'a');
    const rest = ['b', 'c', 'd'].map((part) => combiner.write(0, part));
    release();
    await Promise.all([first, ...rest]);
    expect(flushes).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it("keeps one batch's failure its own: a failed combined write is retried part by part", async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const combiner = createWriteCombiner<string>(async (_generation, parts) => {
      calls++;
      if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
      if (parts.includes('lost-lease')) throw new Error(`refused: ${parts.join(',')}`);
    });
    const first = combiner.write(0, 'a');
    const ok = combiner.write(0, 'b');
    const bad = combiner.write(0, 'lost-lease');
    release();
    await expect(first).resolves.toBeUndefined();
    await expect(ok).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('refused: lost-lease');
  });

  it('never mixes generations in one write', async () => {
    const flushes: Array<[number, string[]]> = [];
    let release: () => void = () => undefined;
    const combiner = createWriteCombiner<string>(async (generation, parts) => {
      flushes.push([generation, [...parts]]);
      if (flushes.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const pending = [combiner.write(1, 'x'), combiner.write(1, 'a'), combiner.write(2, 'b'), combiner.write(1, 'c')];
    release();
    await Promise.all(pending);
    expect(flushes.slice(1).sort(([a], [b]) => a - b)).toEqual([
      [1, ['a', 'c']],
      [2, ['b']],
    ]);
  });
});
