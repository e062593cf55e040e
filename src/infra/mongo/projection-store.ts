/**
 * The projector's side of the read models: fenced, idempotent writes and per-shard checkpoints.
 *
 * Fencing works without multi-document transactions (jongodb has none that isolate): a claim
 * raises the shard's epoch in its checkpoint document atomically; from then on the previous
 * owner's checkpoint moves match nothing (they require their own epoch) and its document writes
 * cannot touch anything the new owner wrote (they require an epoch no higher than theirs). Each
 * write is also preceded by the owner's own lease check, so an owner that was paused past its
 * lease stops before it writes at all.
 */
import type { Db } from 'mongodb';
import { type Fence, LeaseLostError, type ProjectionChange, type ProjectionStore, type ShardId } from '../../ports.js';
import { bulkWriteAgain, insertMissing, isDuplicateKey } from './bulk.js';
import type { JournalTopology } from '../../app/sharding.js';
import { type ReadModelCollections, checkpointId, readModelCollections } from './collections.js';
import { ensureReadModelIndexes } from './indexes.js';
import { planWrites } from './write-plan.js';

export async function createMongoProjectionStore(db: Db, topology: JournalTopology): Promise<ProjectionStore> {
  const c = readModelCollections(db, topology);
  await ensureReadModelIndexes(c);
  return projectionStoreOn(c);
}

function projectionStoreOn(c: ReadModelCollections): ProjectionStore {
  return {
    async checkpoints() {
      const docs = await c.checkpoints.find().toArray();
      return docs.filter((d) => typeof d.shard === 'string').map((d) => ({ shard: d.shard, seq: d.seq, epoch: d.epoch }));
    },

    async claim(shard) {
      for (let attempt = 1; ; attempt++) {
        try {
          const doc = await c.checkpoints.findOneAndUpdate(
            { _id: checkpointId(shard) },
            { $inc: { epoch: 1 }, $setOnInsert: { shard, seq: 0 }, $set: { updatedAt: new Date() } },
            { upsert: true, returnDocument: 'after' },
          );
          if (!doc) throw new Error(`claiming shard ${shard} returned no checkpoint document`);
          return { epoch: doc.epoch, checkpoint: doc.seq };
        } catch (error) {
          // Two first claims racing to insert the document: the loser increments the winner's.
          if (!isDuplicateKey(error) || attempt >= 3) throw error;
        }
      }
    },

    async write(changes: readonly ProjectionChange[], fence: Fence) {
      const plan = planWrites(changes, fence.epoch);
      await Promise.all([
        bulkWriteAgain(c.wallets, plan.wallets, fence.check),
        bulkWriteAgain(c.balances, plan.balances, fence.check),
        ...[...bySource(plan.entries, (e) => e.walletId, (e) => [e])].map(([shard, entries]) => insertMissing(c.entries(shard), entries, fence.check)),
        ...[...bySource(plan.transfers, (t) => t.source, (t) => t.ops)].map(([shard, ops]) => bulkWriteAgain(c.transfers(shard), ops, fence.check)),
        insertMissing(c.assets, plan.assets, fence.check),
      ]);
    },

    async advance(uptoSeq: number, fence: Fence) {
      const _id = checkpointId(fence.shard);
      fence.check();
      const moved = await c.checkpoints.updateOne({ _id, epoch: fence.epoch, seq: { $lt: uptoSeq } }, { $set: { seq: uptoSeq, updatedAt: new Date() } });
      if (moved.matchedCount === 1) return;
      const doc = await c.checkpoints.findOne({ _id });
      if (doc?.epoch !== fence.epoch) throw new LeaseLostError(fence.shard, `epoch ${doc?.epoch ?? 'none'} owns the shard now, not ${fence.epoch}`);
    },
  };

  /** Items grouped by the shard of the wallet each belongs to (a projector's batch makes one group). */
  function bySource<T, U>(items: readonly T[], walletOf: (item: T) => string, pick: (item: T) => U[]): Map<ShardId, U[]> {
    const groups = new Map<ShardId, U[]>();
    for (const item of items) {
      const shard = c.shardOf(walletOf(item));
      groups.set(shard, [...(groups.get(shard) ?? []), ...pick(item)]);
    }
    return groups;
  }
}

/** Shard checkpoints by shard, 0 for shards never projected. */
export async function checkpointsOf(store: ProjectionStore, shards: readonly ShardId[]): Promise<Map<ShardId, number>> {
  const recorded = new Map((await store.checkpoints()).map((c) => [c.shard, c.seq]));
  return new Map(shards.map((shard) => [shard, recorded.get(shard) ?? 0]));
}
