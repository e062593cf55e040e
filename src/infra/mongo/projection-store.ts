/**
 * The projector's side of the read models: fenced, idempotent writes and per-shard checkpoints,
 * in one read-model generation (see generations.ts).
 *
 * Fencing works without multi-document transactions (jongodb has none that isolate): a claim
 * raises the shard's epoch in its checkpoint document atomically; from then on the previous
 * owner's checkpoint moves match nothing (they require their own epoch) and its document writes
 * cannot touch anything the new owner wrote (they require an epoch no higher than theirs). Each
 * write is also preceded by the owner's own lease check, so an owner that was paused past its
 * lease stops before it writes at all.
 *
 * Epochs come from one counter per database, shared by all generations, so an epoch names one
 * claim: a store that follows the active generation binds each claim to the generation active when
 * it was made, and its writes and checkpoint moves go there, whatever is active later. A worker
 * that claimed before a switch can only ever write the old generation; one that claims after it
 * writes the new one, from the checkpoints the rebuild left.
 */
import type { Db } from 'mongodb';
import { type Fence, LeaseLostError, type ProjectionChange, type ProjectionStore, type ShardId } from '../../ports.js';
import { bulkWriteAgain, insertMissing, isDuplicateKey } from './bulk.js';
import type { JournalTopology } from '../../app/sharding.js';
import { type ReadModelCollections, checkpointId } from './collections.js';
import { epochsAtLeast, indexedGenerations, nextEpoch, readPointer } from './generations.js';
import { type WritePlan, planWrites } from './write-plan.js';
import { createWriteCombiner } from './write-combiner.js';

export type ProjectionStoreOptions = Readonly<{
  /** Write this generation (a rebuild's). Default: follow the active one, bound at each claim (a projector). */
  generation?: number;
}>;

/** One batch's writes, and the check of its owner's lease. */
type PlannedWrite = Readonly<{ plan: WritePlan; check: () => void }>;

/** Claims remembered per store, to route a fence to its generation (a few per shard are ever live). */
const CLAIMS_KEPT = 4_096;

export async function createMongoProjectionStore(db: Db, topology: JournalTopology, options: ProjectionStoreOptions = {}): Promise<ProjectionStore> {
  const fixed = options.generation;
  const collections = indexedGenerations(db, topology);
  const current = async () => fixed ?? (await readPointer(db)).active;
  await collections(await current());

  const claims = new Map<number, number>();
  const generationOf = (fence: Fence): number => {
    const generation = claims.get(fence.epoch);
    if (generation === undefined) throw new LeaseLostError(fence.shard, `epoch ${fence.epoch} was not claimed through this store`);
    return generation;
  };

  const combiner = createWriteCombiner<PlannedWrite>(async (generation, parts) => {
    const c = await collections(generation);
    const plan = mergePlans(parts.map((p) => p.plan));
    // Every owner's lease is checked right before each write command, as for a single batch.
    const check = () => {
      for (const part of parts) part.check();
    };
    await Promise.all([
      bulkWriteAgain(c.wallets, plan.wallets, check),
      bulkWriteAgain(c.balances, plan.balances, check),
      ...[...bySource(c, plan.entries, (e) => e.walletId, (e) => [e])].map(([shard, entries]) => insertMissing(c.entries(shard), entries, check)),
      ...[...bySource(c, plan.transfers, (t) => t.source, (t) => t.ops)].map(([shard, ops]) => bulkWriteAgain(c.transfers(shard), ops, check)),
      insertMissing(c.assets, plan.assets, check),
    ]);
  });

  return {
    async checkpoints() {
      const c = await collections(await current());
      const docs = await c.checkpoints.find().toArray();
      return docs.filter((d) => typeof d.shard === 'string').map((d) => ({ shard: d.shard, seq: d.seq, epoch: d.epoch }));
    },

    async claim(shard) {
      const generation = await current();
      const c = await collections(generation);
      for (let attempt = 1; attempt <= 5; attempt++) {
        const epoch = await nextEpoch(db);
        try {
          const doc = await c.checkpoints.findOneAndUpdate(
            { _id: checkpointId(shard), epoch: { $lt: epoch } },
            { $set: { epoch, updatedAt: new Date() }, $setOnInsert: { shard, seq: 0 } },
            { upsert: true, returnDocument: 'after' },
          );
          if (!doc) throw new Error(`claiming shard ${shard} returned no checkpoint document`);
          claims.set(epoch, generation);
          if (claims.size > CLAIMS_KEPT) claims.delete(claims.keys().next().value as number);
          return { epoch, checkpoint: doc.seq };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          // The checkpoint holds an epoch at or above ours. One written before the shared counter
          // existed: move the counter past it and claim again. Otherwise a newer claim overtook ours.
          const existing = await c.checkpoints.findOne({ _id: checkpointId(shard) });
          if (!existing || !(await epochsAtLeast(db, existing.epoch))) throw new LeaseLostError(shard, `claimed meanwhile at epoch ${existing?.epoch ?? '?'}`);
        }
      }
      throw new LeaseLostError(shard, 'the epoch counter kept falling behind its checkpoint');
    },

    async write(changes: readonly ProjectionChange[], fence: Fence) {
      const generation = generationOf(fence);
      await combiner.write(generation, { plan: planWrites(changes, fence.epoch), check: fence.check });
    },

    async advance(uptoSeq: number, fence: Fence) {
      const c = await collections(generationOf(fence));
      const _id = checkpointId(fence.shard);
      fence.check();
      const moved = await c.checkpoints.updateOne({ _id, epoch: fence.epoch, seq: { $lt: uptoSeq } }, { $set: { seq: uptoSeq, updatedAt: new Date() } });
      if (moved.matchedCount === 1) return;
      const doc = await c.checkpoints.findOne({ _id });
      if (doc?.epoch !== fence.epoch) throw new LeaseLostError(fence.shard, `epoch ${doc?.epoch ?? 'none'} owns the shard now, not ${fence.epoch}`);
    },
  };
}

/** One plan for several batches (different shards, so different documents): their writes side by side. */
function mergePlans(plans: readonly WritePlan[]): WritePlan {
  if (plans.length === 1) return plans[0] as WritePlan;
  return {
    wallets: plans.flatMap((p) => p.wallets),
    balances: plans.flatMap((p) => p.balances),
    transfers: plans.flatMap((p) => p.transfers),
    entries: plans.flatMap((p) => p.entries),
    assets: plans.flatMap((p) => p.assets),
  };
}

/** Items grouped by the shard of the wallet each belongs to (a projector's batch makes one group; a rebuild's, one per shard). */
function bySource<T, U>(c: ReadModelCollections, items: readonly T[], walletOf: (item: T) => string, pick: (item: T) => U[]): Map<ShardId, U[]> {
  const groups = new Map<ShardId, U[]>();
  for (const item of items) {
    const shard = c.shardOf(walletOf(item));
    let group = groups.get(shard);
    if (!group) groups.set(shard, (group = []));
    group.push(...pick(item));
  }
  return groups;
}

/** Shard checkpoints by shard, 0 for shards never projected. */
export async function checkpointsOf(store: ProjectionStore, shards: readonly ShardId[]): Promise<Map<ShardId, number>> {
  const recorded = new Map((await store.checkpoints()).map((c) => [c.shard, c.seq]));
  return new Map(shards.map((shard) => [shard, recorded.get(shard) ?? 0]));
}
