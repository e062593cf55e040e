/**
 * `npm run bench -- --quick` runs to the end and prints its one table: the bench is part of the
 * product (the README's numbers come from it), so CI keeps it working. No figure is asserted:
 * speed lives in the bench, not in tests.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('npm run bench -- --quick', () => {
  it('finishes and prints every row of its table', { timeout: 240_000 }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--quick'], { timeout: 230_000, maxBuffer: 4 << 20 });
    for (const row of [
      'raw JetStream async publish (the limit)',
      'deposit (QUEUED) -> balanceChanged (ws)',
      'deposit -> PROJECTED, 50 clients',
      'projection, 1 projector',
      'projection, 3 projectors',
      'projector SIGKILL -> read models caught up',
      'peak RSS projector',
    ]) {
      expect(stdout, row).toMatch(new RegExp(`^${row.replace(/[()]/g, '\\$&')}\\s+\\S`, 'm'));
    }
  });
});
