import { describe, expect, it } from 'vitest';
import { formatDuration, progressBar, progressLine } from '../../../src/commands/progress-bar.js';

describe("the rebuild's progress bar", () => {
  it('shows the share done, the rate and the time left at that rate', () => {
    expect(progressLine({ phase: 'build', done: 25_000, total: 100_000 }, 12_500)).toBe(
      `[${'█'.repeat(8)}${'░'.repeat(22)}] 25% 25,000/100,000 events · 12,500 events/s · ETA 6s · building the new generation`,
    );
    expect(progressLine({ phase: 'tail', done: 10, total: 10 }, 0)).toMatch(/^\[█{30}\] 100% 10\/10 events · 0 events\/s · ETA \? · catching up the tail$/);
  });

  it('measures the rate over the last seconds, and off a terminal writes a line a second', () => {
    const lines: string[] = [];
    let t = 0;
    const bar = progressBar({ isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream, () => t);
    for (let second = 0; second <= 4; second++) {
      t = second * 1_000;
      bar.update({ phase: 'build', done: second * 20_000, total: 100_000 });
      t += 500;
      bar.update({ phase: 'build', done: second * 20_000 + 10_000, total: 100_000 });
    }
    expect(lines).toHaveLength(5);
    expect(lines.at(-1)).toMatch(/ 80,000\/100,000 events · 20,000 events\/s · ETA 1s · /);
  });

  it('writes durations as a person reads them', () => {
    expect([formatDuration(4.4), formatDuration(75), formatDuration(3_725), formatDuration(Infinity)]).toEqual(['4s', '1m15s', '1h02m', '?']);
  });
});
