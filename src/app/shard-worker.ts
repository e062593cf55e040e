/**
 * Projects one leased shard until stopped: claims the shard in the store (a fresh fencing epoch
 * and the checkpoint), then follows the shard's journal events from checkpoint + 1. The checkpoint
 * is the only position that counts, so a worker started anywhere, after any crash, resumes exactly
 * where the read models stop.
 */
import type { JournalFeed, LiveBus, Log, ProjectionStore, ReadStore, ShardId } from '../ports.js';
import { type ShardProjectorDeps, createShardProjector } from './projector.js';

export type ShardWorker = {
  /** Rejects with what stopped the worker (a lost lease, a failing store); resolves after `stop`. */
  readonly done: Promise<void>;
  /** Finishes the batch in hand (its checkpoint included), then stops. */
  stop(): Promise<void>;
};

export type ShardWorkerDeps = Readonly<{
  store: ProjectionStore;
  read: Pick<ReadStore, 'transfersByIds' | 'checkpoint'>;
  shardOfWallet(walletId: string): ShardId;
  log?: Log;
  live: LiveBus;
  feed: JournalFeed;
  /** Throws LeaseLostError once the lease on the shard may have lapsed. */
  checkLease(shard: ShardId): void;
  /** After each batch: the shard's events still to project. */
  onProgress?(shard: ShardId, projected: number, pending: number, checkpoint: number): void;
  failpoint?: ShardProjectorDeps['failpoint'];
}>;

export function startShardWorker(shard: ShardId, deps: ShardWorkerDeps): ShardWorker {
  let stopping = false;
  let stopFeed: (() => Promise<void>) | null = null;

  const done = (async () => {
    deps.checkLease(shard);
    const { epoch, checkpoint } = await deps.store.claim(shard);
    if (stopping) return;
    const fence = { shard, epoch, check: () => deps.checkLease(shard) };
    const projector = createShardProjector({ ...deps, fence, checkpoint });
    deps.onProgress?.(shard, 0, 0, checkpoint);
    const feed = deps.feed.follow(shard, checkpoint, async (batch, pending) => {
      await projector.project(batch);
      deps.onProgress?.(shard, batch.length, pending, batch[batch.length - 1]!.seq);
    });
    stopFeed = feed.stop;
    if (stopping) await feed.stop();
    await feed.done;
  })();

  return {
    done,
    async stop() {
      stopping = true;
      await stopFeed?.();
      await done.catch(() => undefined);
    },
  };
}
