/**
 * Projecting a stretch of the journal outside the projector role: `rebuild` into a new read-model
 * generation, `verify` into a scratch database. Same projection, same store, so what `verify`
 * compares against is exactly what a rebuild produces.
 */
import type { Fence, ProjectionStore, ShardId, StoredEvent } from '../ports.js';
import { projectEvent } from './projection.js';
import { type JournalTopology, allShards } from './sharding.js';

/**
 * Applies the batches in order, each event once, as the owner of every shard (a claim each, so a
 * projector that still wrote there would be fenced out), and moves every shard's checkpoint to the
 * last sequence applied: a replay covers all shards, so none of them has an event left before it.
 * Starts after the lowest checkpoint (0 in an empty store): interrupted and run again, it carries
 * on, and what it writes twice is written the same (every write is idempotent). Returns that sequence.
 *
 * Each batch is one write for all shards: its documents carry the lowest of the claimed epochs,
 * which is below every later owner's (epochs only grow), so fencing is as it would be shard by
 * shard, at a fraction of the writes (one per collection per batch, not one per shard).
 */
export async function replayInto(store: ProjectionStore, batches: AsyncIterable<readonly StoredEvent[]>, topology: JournalTopology): Promise<number> {
  const fences = new Map<ShardId, Fence>();
  let upto = Infinity;
  for (const shard of allShards(topology)) {
    const { epoch, checkpoint } = await store.claim(shard);
    fences.set(shard, { shard, epoch, check: () => undefined });
    upto = Math.min(upto, checkpoint);
  }
  const lowest = [...fences.values()].reduce((a, b) => (b.epoch < a.epoch ? b : a));
  for await (const batch of batches) {
    const fresh = batch.filter((stored) => stored.seq > upto);
    if (fresh.length === 0) continue;
    await store.write(fresh.flatMap(projectEvent), lowest);
    upto = fresh[fresh.length - 1]!.seq;
    await Promise.all([...fences.values()].map((fence) => store.advance(upto, fence)));
  }
  return upto;
}
