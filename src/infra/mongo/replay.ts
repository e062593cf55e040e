/**
 * Projecting a journal into a database outside the projector role: `rebuild` into the live
 * database, `verify` into a scratch one. Same projection, same store, so what `verify` compares
 * against is exactly what a rebuild would produce.
 */
import type { Db } from 'mongodb';
import { projectEvent } from '../../app/projection.js';
import { type JournalTopology, allShards, shardOfEvent } from '../../app/sharding.js';
import type { Fence, ProjectionStore, ShardId, StoredEvent } from '../../ports.js';
import { COLLECTION_NAMES, readModelNames } from './collections.js';

/**
 * Empties every read model and the checkpoints, keeping collections and indexes. The checkpoints
 * go first: interrupted halfway, the database claims nothing and the next run starts over.
 */
export async function clearReadModels(db: Db, topology: JournalTopology): Promise<void> {
  await db.collection(COLLECTION_NAMES.checkpoints).deleteMany({});
  for (const name of Object.values(readModelNames(topology)).flat()) await db.collection(name).deleteMany({});
}

/**
 * Applies the batches in order, each event once, as the owner of every shard (a claim each, so a
 * projector that still ran would be fenced out), and moves every shard's checkpoint to the last
 * sequence applied: a replay covers all shards, so none of them has an event left before it.
 * Returns that sequence.
 */
export async function replayInto(store: ProjectionStore, batches: AsyncIterable<readonly StoredEvent[]>, topology: JournalTopology): Promise<number> {
  const fences = new Map<ShardId, Fence>();
  let upto = Infinity;
  for (const shard of allShards(topology)) {
    const { epoch, checkpoint } = await store.claim(shard);
    fences.set(shard, { shard, epoch, check: () => undefined });
    upto = Math.min(upto, checkpoint);
  }
  for await (const batch of batches) {
    const fresh = batch.filter((stored) => stored.seq > upto);
    if (fresh.length === 0) continue;
    // Each document carries its own shard's epoch.
    const byShard = new Map<ShardId, StoredEvent[]>();
    for (const stored of fresh) {
      const shard = shardOfEvent(stored.event, topology);
      const events = byShard.get(shard) ?? [];
      events.push(stored);
      byShard.set(shard, events);
    }
    await Promise.all([...byShard].map(([shard, events]) => store.write(events.flatMap(projectEvent), fences.get(shard) as Fence)));
    upto = fresh[fresh.length - 1]!.seq;
    for (const fence of fences.values()) await store.advance(upto, fence);
  }
  return upto;
}
