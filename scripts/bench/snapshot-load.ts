/**
 * What a processor restart costs on a long-lived wallet: the first decision (load the wallet,
 * decide, append) on a fresh handler, for wallets of 1k, 20k and 100k events, without and with a
 * snapshot, beside the same on a fresh wallet. Its own nats-server (a temp store), the real NATS
 * journal and snapshot store; wallets written straight into JOURNAL by the test fixture.
 *
 * `npx tsx scripts/bench/snapshot-load.ts [--quick]` alone, or as the last part of `npm run bench`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCommandHandler } from '../../src/app/command-handler.js';
import { connectNats } from '../../src/infra/nats/connection.js';
import { startNatsServer } from '../../src/infra/nats/embedded-server.js';
import { createNatsJournal } from '../../src/infra/nats/journal.js';
import { createNatsAttemptLog } from '../../src/infra/nats/attempt-log.js';
import { createNatsSnapshotStore } from '../../src/infra/nats/snapshot-store.js';
import { ensureStreams } from '../../src/infra/nats/streams.js';
import { systemClock, systemIds } from '../../src/infra/system.js';
import { defaultCatalog, deposit } from '../../test/support/commands.js';
import { publishEvents, walletHistory } from '../../test/support/journal-fixture.js';
import { ms, percentile } from './stats.js';
import { type Row, renderTable } from './table.js';

export type SnapshotLoadRow = Readonly<{ events: number; fresh: number; without: number; withSnapshot: number; snapshotEvery: number }>;

export type SnapshotBenchOptions = Readonly<{ sizes?: readonly number[]; repeats?: number; snapshotEvery?: number; progress?: (text: string) => void }>;

export async function measureSnapshotLoads(options: SnapshotBenchOptions = {}): Promise<SnapshotLoadRow[]> {
  const { sizes = [1_000, 20_000, 100_000], repeats = 7, snapshotEvery = 500, progress = () => undefined } = options;
  const dir = mkdtempSync(join(tmpdir(), 'jetledger-snapshot-bench-'));
  const server = await startNatsServer({ storeDir: dir, port: 0 });
  const nats = await connectNats(server.url, 'snapshot-bench');
  try {
    const topology = await ensureStreams(nats.nc, nats.jsm);
    const journal = createNatsJournal(nats.js, nats.jsm, topology);
    const [snapshots, attempts] = [await createNatsSnapshotStore(nats.nc), await createNatsAttemptLog(nats.nc)];
    const seed = await createCommandHandler({ journal, clock: systemClock, ids: systemIds });
    for (const command of defaultCatalog()) await seed.handle(command);

    /** A processor that just started: an empty cache, the catalog read; then the time of its first decision on `walletId`. */
    const firstDecision = async (walletId: string, withSnapshots: boolean): Promise<number> => {
      const handler = await createCommandHandler({ journal, clock: systemClock, ids: systemIds, attempts, snapshots: withSnapshots ? snapshots : undefined, snapshotEvery });
      const started = performance.now();
      const outcome = await handler.handle(deposit(walletId, '1'));
      const elapsed = performance.now() - started;
      if (outcome.state !== 'ACCEPTED') throw new Error(`bench deposit on ${walletId} was ${outcome.state}: ${outcome.message}`);
      await handler.flushSnapshots();
      return elapsed;
    };
    const median = async (walletId: string, withSnapshots: boolean) => {
      const samples: number[] = [];
      for (let i = 0; i < repeats; i++) samples.push(await firstDecision(walletId, withSnapshots));
      return percentile(samples, 50);
    };

    // Warm the code paths once, so the first size does not pay for the JIT.
    await publishEvents(nats.js, topology, walletHistory('warm-up', 200));
    for (let i = 0; i < 3; i++) await firstDecision('warm-up', i > 0);

    const rows: SnapshotLoadRow[] = [];
    for (const events of sizes) {
      progress(`snapshot loads: writing a wallet of ${events.toLocaleString('en-US')} events`);
      const [fresh, long] = [`fresh-${events}`, `long-${events}`];
      await publishEvents(nats.js, topology, [...walletHistory(fresh, 1), ...walletHistory(long, events)]);
      progress(`snapshot loads: first decision after a restart, ${repeats} times each`);
      const freshMs = await median(fresh, false);
      const withoutMs = await median(long, false);
      // The first handler with snapshots replays everything once and writes the snapshot the others start from.
      await firstDecision(long, true);
      const withMs = await median(long, true);
      rows.push({ events, fresh: freshMs, without: withoutMs, withSnapshot: withMs, snapshotEvery });
    }
    return rows;
  } finally {
    await nats.nc.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function snapshotRows(rows: readonly SnapshotLoadRow[]): Row[] {
  return rows.flatMap((r): Row[] => {
    const n = r.events.toLocaleString('en-US');
    const ratio = (value: number) => `${(value / r.fresh).toFixed(1)}x a fresh wallet (${ms(r.fresh)})`;
    return [
      [`first decision after restart, ${n} events, no snapshot`, ms(r.without), `${ratio(r.without)}; replays ${n} events (${Math.round(r.events / (r.without / 1000)).toLocaleString('en-US')} events/s)`],
      [`  same, with a snapshot`, ms(r.withSnapshot), `${ratio(r.withSnapshot)}; snapshot every ${r.snapshotEvery} events, then the events after it`],
    ];
  });
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const rows = await measureSnapshotLoads({ repeats: quick ? 3 : 7, progress: (t) => process.stderr.write(`[bench] ${t}\n`) });
  console.log(renderTable(['measure', 'median', 'detail'], snapshotRows(rows)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
