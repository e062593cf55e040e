/** How far behind the journal each projection shard is: `status`, the bench and tests ask the same. */
import type { JetStreamManager } from 'nats';
import { type JournalTopology, allShards } from '../app/sharding.js';
import type { ProjectionStore, ShardId } from '../ports.js';
import { shardProgress } from './nats/shard-progress.js';

export type ShardLag = Readonly<{ shard: ShardId; checkpoint: number; epoch: number | null; lastSeq: number; pending: number }>;

export async function projectionLag(jsm: JetStreamManager, store: ProjectionStore, topology: JournalTopology): Promise<ShardLag[]> {
  const checkpoints = new Map((await store.checkpoints()).map((c) => [c.shard, c]));
  return Promise.all(
    allShards(topology).map(async (shard) => {
      const checkpoint = checkpoints.get(shard);
      const progress = await shardProgress(jsm, shard, checkpoint?.seq ?? 0);
      return { shard, checkpoint: checkpoint?.seq ?? 0, epoch: checkpoint?.epoch ?? null, ...progress };
    }),
  );
}

/** Events the read models do not show yet, over all shards. */
export const totalLag = (lags: readonly ShardLag[]): number => lags.reduce((sum, l) => sum + l.pending, 0);
