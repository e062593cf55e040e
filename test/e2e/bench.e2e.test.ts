/**
 * `npm run bench -- --quick` runs to the end, prints its one table and writes its chart: the
 * bench is part of the product (the README's numbers come from it), so CI keeps it working. No
 * figure is asserted: speed lives in the bench, not in tests.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('npm run bench -- --quick', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finishes, prints every row of its table and writes the latency chart', { timeout: 240_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'jetledger-bench-e2e-'));
    const chart = join(dir, 'latency.png');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--quick', '--chart', chart], {
      timeout: 230_000,
      maxBuffer: 4 << 20,
    });
    const rows = [
      'raw JetStream async publish (the limit)',
      'expected-sequence appends, 64 subjects',
      ...['QUEUED', 'DECIDED'].flatMap((c) => [`deposit ${c}, 1 client`, `deposit ${c}, 10 clients`, `deposit ${c}, 50 clients`]),
      'submitCommands DECIDED, 10 x 100',
      'deposit PROJECTED, 50 clients',
      'hot wallet: deposit DECIDED, 50 clients',
      'deposit (QUEUED) -> balanceChanged (ws), 20 wallets',
      '  of which the mutation answer',
      'projection, 1 projector',
      'projection, 3 projectors',
      'projector SIGKILL -> read models caught up',
      'peak RSS processor',
      'peak RSS projector',
      'peak RSS api',
      'first decision after restart, 1,000 events, no snapshot',
      '  same, with a snapshot',
    ];
    const escape = (text: string) => text.replace(/[()]/g, '\\$&');
    for (const row of rows) expect(stdout, row).toMatch(new RegExp(`^${escape(row)}\\s+\\S`, 'm'));
    // In the table's order: the limits first, the process figures last.
    const positions = rows.map((row) => stdout.search(new RegExp(`^${escape(row)}\\s`, 'm')));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));

    // A PNG where Chromium is installed; otherwise the SVG, and the output says why.
    const line = /^chart: (\S+)(.*)$/m.exec(stdout);
    expect(line, 'a chart: line').not.toBeNull();
    const written = line?.[1] as string;
    expect(existsSync(written), written).toBe(true);
    if (written.endsWith('.png')) {
      expect(readFileSync(written).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    } else {
      expect(written).toBe(join(dir, 'latency.svg'));
      expect(readFileSync(written, 'utf8')).toMatch(/^<svg /);
      expect(line?.[2]).toMatch(/wrote the SVG instead/);
    }
  });
});
