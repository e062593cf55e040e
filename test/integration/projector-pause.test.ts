/**
 * A projector paused (SIGSTOP) past its lease while traffic flows, then let go on (SIGCONT): the
 * other takes its shards over when the lease lapses, and the paused one, whatever batch it had in
 * hand, writes nothing under its old epoch once it wakes up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walletShard } from '../../src/app/sharding.js';
import { readModelNames } from '../../src/infra/mongo/collections.js';
import { createMongoProjectionStore } from '../../src/infra/mongo/projection-store.js';
import type { ShardId } from '../../src/ports.js';
import { type ProjectorsOf, projectorsOf } from '../support/projectors.js';
import { TEST_LEASE_TTL_MS, type TestStack, startTestStack, user } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const WALLETS = 16;

describe('a projector paused past its lease', () => {
  let stack: TestStack;
  let projectors: ProjectorsOf;

  beforeAll(async () => {
    stack = await startTestStack({ roles: ['processor'] });
    projectors = projectorsOf(stack);
  });
  afterAll(async () => {
    await projectors?.killAll();
    await stack?.stop();
  });

  /** Every read-model document written under `epochs` (shard → epoch): what a fenced-out owner must leave alone. */
  async function writtenUnder(epochs: ReadonlyMap<ShardId, number>): Promise<Map<string, number>> {
    const docs = new Map<string, number>();
    const shardOf = (walletId: unknown) => walletShard(String(walletId), stack.topology);
    const names = readModelNames(stack.topology);
    const collections = [
      ...names.wallets.map((name) => [name, (d: Record<string, unknown>) => shardOf(d['_id'])] as const),
      ...names.balances.map((name) => [name, (d: Record<string, unknown>) => shardOf(d['walletId'])] as const),
      ...names.entries.map((name) => [name, (d: Record<string, unknown>) => shardOf(d['walletId'])] as const),
      ...names.transfers.map((name) => [name, (d: Record<string, unknown>) => shardOf(d['fromWalletId'])] as const),
    ];
    for (const [name, shardOfDoc] of collections) {
      for (const doc of await stack.mongo.db.collection<Record<string, unknown>>(name).find().toArray()) {
        const shard = shardOfDoc(doc);
        if (epochs.has(shard) && doc['epoch'] === epochs.get(shard)) docs.set(`${name}/${String(doc['_id'])}`, doc['seq'] as number);
      }
    }
    return docs;
  }

  it('loses its shards when the lease lapses and writes nothing under its old epoch after waking', { timeout: 120_000 }, async () => {
    let traffic = true;
    // Slow batches: the pause almost surely lands while it holds one, about to write.
    const paused = await projectors.spawn('projector', { TEST_LOG_LEVEL: 'info', JETLEDGER_FAILPOINTS: 'projector.before-write=delay:400' });
    // A slow successor: when the paused one wakes, the successor has claimed its shards but not written to them yet,
    // so only the paused one's own lease check stands between its batch in hand and the read models.
    const other = await projectors.spawn('projector', { JETLEDGER_FAILPOINTS: 'projector.before-write=delay:1500' });
    const wallets = await Promise.all(
      Array.from({ length: WALLETS }, async (_, i) => (await stack.app.submit({ principal: user(`p${i}`), command: { type: 'CreateWallet', data: { name: `p${i}` } }, consistency: 'PROJECTED' })).walletId as string),
    );
    const shared = async () => {
      const pids = [...(await projectors.owners()).values()];
      return pids.includes(paused.pid) && pids.includes(other.pid) && pids.length === 17;
    };
    await waitFor(shared, { message: 'the two projectors to share the shards' });

    let sent = 0;
    let oldEpochs = new Map<ShardId, number>();
    let before = new Map<string, number>();
    const load = Promise.all(
      wallets.map(async (walletId, i) => {
        while (traffic) {
          await stack.app.submit({ principal: user(`p${i}`), command: { type: 'Deposit', data: { walletId, asset: 'USD', amount: '1' } }, consistency: 'DECIDED' });
          sent++;
        }
      }),
    );
    try {
      await waitFor(() => sent >= 200, { timeoutMs: 30_000, message: 'traffic to flow' });

      // Paused in the middle of whatever it was doing.
      paused.pause();
      const pausedAt = Date.now();
      const theirs = [...(await projectors.owners())].filter(([, pid]) => pid === paused.pid).map(([shard]) => shard);
      expect(theirs.length).toBeGreaterThan(0);
      const store = await createMongoProjectionStore(stack.mongo.db, stack.topology);
      oldEpochs = new Map((await store.checkpoints()).filter((c) => theirs.includes(c.shard)).map((c) => [c.shard, c.epoch]));

      await waitFor(async () => [...(await projectors.owners()).values()].every((pid) => pid === other.pid), {
        timeoutMs: 3 * TEST_LEASE_TTL_MS,
        message: 'the other projector to take the lapsed shards',
      });
      // Not before the lease lapsed: one TTL after its last renewal, which came at most a quarter TTL (and a poll) before the pause.
      expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(TEST_LEASE_TTL_MS * 0.6);
      // The successor claims each shard, raising its epoch: from then on the old epoch is fenced out.
      await waitFor(
        async () => {
          const claimed = new Map((await store.checkpoints()).map((c) => [c.shard, c.epoch]));
          return [...oldEpochs].every(([shard, epoch]) => (claimed.get(shard) ?? 0) > epoch);
        },
        { message: 'the successor to claim every shard it took' },
      );
      before = await writtenUnder(oldEpochs);

      const sentAtResume = sent;
      paused.resume();
      await waitFor(() => /shard lease (lost|lapsed)/.test(paused.output()), { timeoutMs: 10_000, message: 'the woken projector to notice it lost its leases' });
      // Let it run on a while beside the traffic: it may take shards again, under new epochs.
      await waitFor(async () => (await projectors.owners()).size === 17 && sent >= sentAtResume + 300, { timeoutMs: 30_000 });
    } finally {
      traffic = false;
      await load;
    }
    await waitFor(async () => (await projectors.lag()) === 0, { timeoutMs: 20_000, message: 'the projectors to catch up' });

    // The successor overwrites some of them (under its own epoch); none is new or newer under the old one.
    const after = await writtenUnder(oldEpochs);
    expect(before.size).toBeGreaterThan(0);
    const writtenByTheOldOwner = [...after].filter(([doc, seq]) => before.get(doc) !== seq);
    expect(writtenByTheOldOwner, 'documents written under a lost epoch after the successor claimed it').toEqual([]);
    expect(await projectors.verify()).toEqual([]);
  });
});
