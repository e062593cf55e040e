/**
 * Projects one shard's journal events: read models first, then live notifications, then the
 * checkpoint. The order is what makes every crash harmless:
 * - a crash before or during the write, or before the checkpoint moves, replays the batch from
 *   the checkpoint: writes are idempotent and the notifications go out again (subscribers drop
 *   what they saw already by version), so none is lost;
 * - a notification never announces what a query could not see yet.
 * Every write and the checkpoint carry the owner's fencing epoch (see ProjectionStore).
 *
 * Shards move at their own pace, so one thing is held back on purpose: a transfer's completion
 * (source shard) waits until the destination's credit (maybe another shard) is projected. A client
 * told "COMPLETED" then finds the money where it went. No cycle can form: a completion only waits
 * for an event earlier in the journal, and the earliest waiting event's wait is always satisfied.
 */
import type { Fence, Log, LiveBus, LiveNotification, ProjectionChange, ProjectionStore, ReadStore, ShardId, StoredEvent, TransferView } from '../ports.js';
import { projectEvent } from './projection.js';

export type ShardProjector = {
  /** Applies the next events of the shard, in journal order (already applied ones are skipped). */
  project(batch: readonly StoredEvent[]): Promise<void>;
};

export type ShardProjectorDeps = Readonly<{
  store: ProjectionStore;
  /** Transfers as they stood before the batch (their notifications replay the batch's patches), and other shards' checkpoints. */
  read: Pick<ReadStore, 'transfersByIds' | 'checkpoint'>;
  /** The shard of a wallet: whether a transfer's credit is projected elsewhere. */
  shardOfWallet(walletId: string): ShardId;
  log?: Log;
  /** How long a completion waits for its credit's shard before it is written anyway (and an error logged). */
  creditWaitMs?: number;
  live: LiveBus;
  fence: Fence;
  /** The checkpoint the owner claimed the shard at. */
  checkpoint: number;
  /** Crash tests stop the process at named points of a batch (see infra/failpoints.ts). */
  failpoint?: (name: 'projector.before-write' | 'projector.after-write' | 'projector.after-checkpoint') => void | Promise<void>;
}>;

export function createShardProjector(deps: ShardProjectorDeps): ShardProjector {
  const { store, read, live, fence, checkpoint, failpoint = () => undefined } = deps;
  let applied = checkpoint;

  /** Waits until `shard` has projected up to `seq`: the credit of a transfer this batch completes. */
  async function creditProjected(shard: ShardId, seq: number, transferId: string): Promise<void> {
    const deadline = Date.now() + (deps.creditWaitMs ?? 60_000);
    while ((await read.checkpoint(shard)) < seq) {
      fence.check();
      if (Date.now() > deadline) {
        deps.log?.error({ shard: fence.shard, waitedFor: shard, seq, transferId }, 'the credit of a completed transfer is still not projected; showing the completion anyway');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, CREDIT_POLL_MS));
    }
  }

  return {
    async project(batch) {
      const fresh = batch.filter((stored) => stored.seq > applied);
      if (fresh.length === 0) return;
      for (let i = 1; i < fresh.length; i++) {
        if (fresh[i]!.seq <= fresh[i - 1]!.seq) throw new Error(`shard ${fence.shard}: journal events out of order (${fresh[i - 1]!.seq}, then ${fresh[i]!.seq})`);
      }
      const changes = fresh.flatMap(projectEvent);
      const uptoSeq = fresh[fresh.length - 1]!.seq;
      const transferIds = [...new Set(changes.flatMap((c) => (c.kind === 'transfer' ? [c.id] : [])))];
      const transfersBefore = transferIds.length > 0 ? await read.transfersByIds(transferIds) : [];
      for (const wait of creditsToAwait(fresh, changes, transfersBefore, fence.shard, deps.shardOfWallet)) await creditProjected(wait.shard, wait.seq, wait.transferId);
      await failpoint('projector.before-write');
      await store.write(changes, fence);
      await failpoint('projector.after-write');
      fence.check();
      await live.publish(notificationsOf(fresh, changes, transfersBefore));
      await store.advance(uptoSeq, fence);
      applied = uptoSeq;
      await failpoint('projector.after-checkpoint');
    },
  };
}

const CREDIT_POLL_MS = 20;

/** Completions in the batch whose credit lives in another shard, with the sequence that shard must reach. */
function creditsToAwait(
  events: readonly StoredEvent[],
  changes: readonly ProjectionChange[],
  transfersBefore: readonly TransferView[],
  ownShard: ShardId,
  shardOfWallet: (walletId: string) => ShardId,
): Array<{ shard: ShardId; seq: number; transferId: string }> {
  const destination = new Map(transfersBefore.map((t) => [t.id, t.toWalletId]));
  for (const change of changes) if (change.kind === 'transfer' && change.insert) destination.set(change.id, change.insert.toWalletId);
  const waits: Array<{ shard: ShardId; seq: number; transferId: string }> = [];
  for (const { event } of events) {
    if (event.type !== 'TransferCompleted') continue;
    const { transferId, creditSeq } = event.data as { transferId: string; creditSeq?: number };
    const to = destination.get(transferId);
    if (creditSeq === undefined || to === undefined) continue;
    const shard = shardOfWallet(to);
    // In its own shard the credit comes earlier in the same ordered stream: nothing to wait for.
    if (shard !== ownShard) waits.push({ shard, seq: creditSeq, transferId });
  }
  return waits;
}

/**
 * One notification per change, in journal order. A transfer change is a patch: subscribers get the
 * whole transfer as that change left it, so a batch holding several stages of one transfer (a
 * projector catching up) still shows each stage, as `transferUpdated` promises.
 */
export function notificationsOf(events: readonly StoredEvent[], changes: readonly ProjectionChange[], transfersBefore: readonly TransferView[]): LiveNotification[] {
  const notifications: LiveNotification[] = [];
  const transfers = new Map(transfersBefore.map((t) => [t.id, t]));
  for (const change of changes) {
    if (change.kind === 'balance') notifications.push({ kind: 'balance', balance: change.balance });
    else if (change.kind === 'entry') notifications.push({ kind: 'entry', entry: change.entry });
    else if (change.kind === 'transfer') {
      // As the store applies it: the insert only when the transfer is new, then the patch.
      const current = transfers.get(change.id) ?? change.insert;
      if (current === undefined) continue;
      const next: TransferView = { ...current, ...change.set };
      transfers.set(change.id, next);
      notifications.push({ kind: 'transfer', transfer: next });
    }
  }
  const walletVersions = new Map<string, number>();
  for (const { event } of events) if (event.walletId) walletVersions.set(event.walletId, event.version);
  for (const [walletId, version] of walletVersions) notifications.push({ kind: 'wallet', walletId, version });
  return notifications;
}
