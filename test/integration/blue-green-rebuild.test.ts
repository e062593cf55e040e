/**
 * `jetledger rebuild` on a journal of 100,000 events, with a projector running: the rebuild builds
 * a new read-model generation while queries keep answering from the live one, takes the shard
 * leases for the tail, switches, and the projector carries on in the new generation. Killed
 * halfway and run again, it ends with the same read models.
 *
 * The journal is written straight into JOURNAL (test/support/journal-fixture.ts), not through the
 * stack, and shaped for jongodb, whose every write costs time in proportion to the size of the
 * collection it goes to (a single insert into a 30,000-document collection took seconds here): 100
 * wallets of 1,000 events each, one in fifty a deposit or withdrawal, the rest renames. The read
 * models stay a few thousand documents; the rebuild still reads, decodes and projects 100,000 events.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/app/command-handler.js';
import { canonicalDecimal } from '../../src/app/decimal.js';
import { rebuildReadModels } from '../../src/commands/rebuild.js';
import { generationCollections, readPointer } from '../../src/infra/mongo/generations.js';
import { createMongoProjectionStore } from '../../src/infra/mongo/projection-store.js';
import { readModelSnapshot } from '../../src/infra/mongo/snapshot.js';
import { journalExtent } from '../../src/infra/nats/journal-reader.js';
import { createNatsJournal } from '../../src/infra/nats/journal.js';
import { systemClock, systemIds } from '../../src/infra/system.js';
import { cliCommand } from '../support/cli-process.js';
import { defaultCatalog } from '../support/commands.js';
import { interleavedHistories, publishEvents, walletHistory } from '../support/journal-fixture.js';
import { projectorsOf } from '../support/projectors.js';
import { type TestStack, startTestStack } from '../support/stack.js';
import { waitFor, waitUntil } from '../support/wait.js';

const WALLETS = 100;
const PER_WALLET = 1_000;
const log = (text: string) => console.log(`[blue-green] ${text}`);

type RebuildChild = { child: ChildProcess; exited: Promise<number | null>; stderr: () => string };

describe('a blue/green rebuild of 100,000 events', () => {
  let stack: TestStack;
  let projectors: ReturnType<typeof projectorsOf>;
  let sample: string;
  let expectedBalance: string;

  const rebuildChild = (): RebuildChild => {
    const child = spawn(process.execPath, [...cliCommand(), 'rebuild'], {
      env: { ...process.env, NATS_URL: stack.server.url, MONGODB_URI: stack.mongo.uri, MONGODB_DB: stack.mongo.dbName, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    return { child, exited, stderr: () => stderr };
  };
  /** What the API answers for one wallet: the question asked throughout the rebuild. */
  const balanceNow = async () => (await stack.app.read.balancesByWalletIds([sample]))[0]?.total;
  /** How far a generation's replay got: its lowest shard checkpoint (0 before any). */
  const checkpointOf = async (generation: number) => {
    const seqs = (await (await createMongoProjectionStore(stack.mongo.db, stack.topology, { generation })).checkpoints()).map((c) => c.seq);
    return seqs.length === 0 ? 0 : Math.min(...seqs);
  };

  beforeAll(async () => {
    stack = await startTestStack({ roles: [], shards: 2 });
    projectors = projectorsOf(stack);
    const journal = createNatsJournal(stack.nats.js, stack.nats.jsm, stack.topology);
    const seed = await createCommandHandler({ journal, clock: systemClock, ids: systemIds });
    for (const command of defaultCatalog()) await seed.handle(command);

    let started = performance.now();
    const events = interleavedHistories(WALLETS, PER_WALLET, { moneyEvery: 50 });
    await publishEvents(stack.nats.js, stack.topology, events);
    log(`published ${events.length} events in ${Math.round(performance.now() - started)} ms`);
    sample = events[0]!.walletId;
    const last = [...events].reverse().find((e) => e.walletId === sample && 'totalAfter' in e.data)!;
    expectedBalance = canonicalDecimal('totalAfter' in last.data ? last.data.totalAfter : '');

    // The first read models, built with no projector running: generation 1.
    started = performance.now();
    const first = await rebuildReadModels({ nats: stack.nats, db: stack.mongo.db });
    log(`first rebuild: ${first.events} events in ${Math.round(performance.now() - started)} ms`);
    expect(first).toMatchObject({ generation: 1, lastSeq: (await journalExtent(stack.nats.jsm)).last });
    // A projector, in a process of its own, owns the shards from now on.
    await projectors.spawn();
    await waitFor(async () => (await projectors.owners()).size === 3, { message: 'the projector holding every shard' });
  }, 240_000);
  afterAll(async () => {
    await projectors?.killAll();
    await stack?.stop();
  });

  it('answers queries from the live generation while building, switches over, and the projector carries on in the new one', async () => {
    expect(await balanceNow()).toBe(expectedBalance);
    const started = performance.now();
    const rebuild = rebuildChild();
    // Throughout the build the API reads generation 1, complete.
    let answeredWhileBuilding = 0;
    await waitFor(async () => (await readPointer(stack.mongo.db)).building === 2, { message: 'the rebuild to begin generation 2' });
    while ((await readPointer(stack.mongo.db)).active === 1 && rebuild.child.exitCode === null) {
      expect(await balanceNow()).toBe(expectedBalance);
      answeredWhileBuilding++;
      if (answeredWhileBuilding === 3) {
        // Traffic goes on meanwhile: a new wallet lands in the journal during the rebuild.
        await publishEvents(stack.nats.js, stack.topology, walletHistory('during-rebuild', 10));
      }
    }
    expect(await rebuild.exited, rebuild.stderr()).toBe(0);
    log(`rebuild in a child process: ${Math.round(performance.now() - started)} ms, ${answeredWhileBuilding} queries answered meanwhile`);
    log(`its last progress lines: ${rebuild.stderr().trim().split('\n').slice(-2).join(' | ')}`);
    expect(answeredWhileBuilding).toBeGreaterThanOrEqual(3);
    expect(await readPointer(stack.mongo.db)).toEqual({ active: 2, building: null });
    // A progress bar with a rate and an estimate of the time left (one line a second off a terminal).
    expect(rebuild.stderr()).toMatch(/\] \d+% [\d,]+\/[\d,]+ events · [\d,]+ events\/s · ETA \S+ · /);

    // The wallet written during the rebuild is in the new generation, and the projector writes there now.
    await waitUntil(async () => expect((await stack.app.read.walletsByIds(['during-rebuild']))[0]).toMatchObject({ version: 10 }), { timeoutMs: 20_000 });
    await publishEvents(stack.nats.js, stack.topology, walletHistory('after-switch', 3, { startMs: Date.parse('2030-02-01T00:00:00Z') }));
    await waitUntil(async () => expect((await stack.app.read.walletsByIds(['after-switch']))[0]).toMatchObject({ version: 3 }), { timeoutMs: 20_000 });
    expect(await generationCollections(stack.mongo.db, stack.topology, 2).wallets.countDocuments({ _id: 'after-switch' })).toBe(1);
    expect(await generationCollections(stack.mongo.db, stack.topology, 1).wallets.countDocuments({ _id: 'after-switch' })).toBe(0);
    expect(await projectors.verify()).toEqual([]);
  });

  it('killed halfway and run again, ends with the same read models', async () => {
    const reference = await readModelSnapshot(stack.mongo.db, stack.topology);
    const { last } = await journalExtent(stack.nats.jsm);
    const killed = rebuildChild();
    await waitFor(async () => (await readPointer(stack.mongo.db)).building === 3, { message: 'the rebuild to begin generation 3' });
    await waitFor(async () => (await checkpointOf(3)) >= last / 2 || killed.child.exitCode !== null, { intervalMs: 10, timeoutMs: 60_000, message: 'half of generation 3' });
    killed.child.kill('SIGKILL');
    await killed.exited;
    const reached = await checkpointOf(3);
    log(`killed at sequence ${reached} of ${last}`);
    expect(reached).toBeGreaterThan(0);
    expect(reached).toBeLessThan(last);
    // Nothing switched; the live generation still answers.
    expect(await readPointer(stack.mongo.db)).toEqual({ active: 2, building: 3 });
    expect(await balanceNow()).toBe(expectedBalance);

    const again = rebuildChild();
    expect(await again.exited, again.stderr()).toBe(0);
    expect(await readPointer(stack.mongo.db)).toEqual({ active: 3, building: null });
    expect(await readModelSnapshot(stack.mongo.db, stack.topology, 3)).toEqual(reference);
    expect(await balanceNow()).toBe(expectedBalance);
  });
});
