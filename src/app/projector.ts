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

  /** Waits until `shard` has projected up to `seq`: the credit of a transfer about to be completed. */
  async function creditProjected({ shard, seq, transferId }: CreditWait): Promise<void> {
    const deadline = Date.now() + (deps.creditWaitMs ?? 60_000);
    while (!(await creditVisible({ shard, seq }))) {
      fence.check();
      if (Date.now() > deadline) {
        deps.log?.error({ shard: fence.shard, waitedFor: shard, seq, transferId }, 'the credit of a completed transfer is still not projected; showing the completion anyway');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, CREDIT_POLL_MS));
    }
  }
  const creditVisible = async ({ shard, seq }: Pick<CreditWait, 'shard' | 'seq'>) => (await read.checkpoint(shard)) >= seq;

  /** Writes, notifies and checkpoints consecutive events of the shard. */
  async function apply(events: readonly StoredEvent[]): Promise<void> {
    const projected = events.map((stored) => ({ stored, changes: projectEvent(stored) }));
    const changes = projected.flatMap((p) => p.changes);
    const uptoSeq = events[events.length - 1]!.seq;
    const transferIds = [...new Set(changes.flatMap((c) => (c.kind === 'transfer' ? [c.id] : [])))];
    const transfersBefore = transferIds.length > 0 ? await read.transfersByIds(transferIds) : [];
    await failpoint('projector.before-write');
    await store.write(changes, fence);
    await failpoint('projector.after-write');
    fence.check();
    await live.publish(notificationsOf(projected, transfersBefore));
    await store.advance(uptoSeq, fence);
    applied = uptoSeq;
    await failpoint('projector.after-checkpoint');
  }

  return {
    async project(batch) {
      const fresh = batch.filter((stored) => stored.seq > applied);
      if (fresh.length === 0) return;
      for (let i = 1; i < fresh.length; i++) {
        if (fresh[i]!.seq <= fresh[i - 1]!.seq) throw new Error(`shard ${fence.shard}: journal events out of order (${fresh[i - 1]!.seq}, then ${fresh[i]!.seq})`);
      }
      const waits = await creditsToAwait(fresh, read, fence.shard, deps.shardOfWallet);
      // A completion whose credit is not visible yet splits the batch: what comes before it is
      // written (and checkpointed) first. Waiting with all earlier events of the shard projected
      // is what keeps two shards from ever waiting on each other.
      let from = 0;
      for (let i = 0; i < fresh.length; i++) {
        const wait = waits.get(fresh[i]!.seq);
        if (!wait || (await creditVisible(wait))) continue;
        if (i > from) await apply(fresh.slice(from, i));
        await creditProjected(wait);
        from = i;
      }
      await apply(fresh.slice(from));
    },
  };
}

const CREDIT_POLL_MS = 20;

type CreditWait = Readonly<{ shard: ShardId; seq: number; transferId: string }>;

/** By journal sequence, the completions in the batch whose credit lives in another shard, with the sequence that shard must reach. */
async function creditsToAwait(
  events: readonly StoredEvent[],
  read: Pick<ReadStore, 'transfersByIds'>,
  ownShard: ShardId,
  shardOfWallet: (walletId: string) => ShardId,
): Promise<Map<number, CreditWait>> {
  const completions = events.flatMap(({ seq, event }) => {
    if (event.type !== 'TransferCompleted') return [];
    const { transferId, creditSeq } = event.data as { transferId: string; creditSeq?: number };
    return creditSeq === undefined ? [] : [{ seq, transferId, creditSeq }];
  });
  const waits = new Map<number, CreditWait>();
  if (completions.length === 0) return waits;
  // Where each transfer goes: from the read models, or from this very batch (debited and completed in one).
  const destination = new Map((await read.transfersByIds(completions.map((c) => c.transferId))).map((t) => [t.id, t.toWalletId]));
  for (const { event } of events) {
    if (event.type === 'TransferDebited') destination.set((event.data as { transferId: string }).transferId, (event.data as { toWalletId: string }).toWalletId);
  }
  for (const { seq, transferId, creditSeq } of completions) {
    const to = destination.get(transferId);
    if (to === undefined) continue;
    const shard = shardOfWallet(to);
    // In its own shard the credit comes earlier in the same ordered stream: nothing to wait for.
    if (shard !== ownShard) waits.set(seq, { shard, seq: creditSeq, transferId });
  }
  return waits;
}

/**
 * One notification per change, in journal order. A transfer change is a patch: subscribers get the
 * whole transfer as that change left it, so a batch holding several stages of one transfer (a
 * projector catching up) still shows each stage, as `transferUpdated` promises. Each notification
 * carries the trace of the event it announces.
 */
export function notificationsOf(projected: ReadonlyArray<Readonly<{ stored: StoredEvent; changes: readonly ProjectionChange[] }>>, transfersBefore: readonly TransferView[]): LiveNotification[] {
  const notifications: LiveNotification[] = [];
  const transfers = new Map(transfersBefore.map((t) => [t.id, t]));
  for (const { stored, changes } of projected) {
    const push = (n: LiveNotification): void => void notifications.push(stored.trace === undefined ? n : { ...n, trace: stored.trace });
    for (const change of changes) {
      if (change.kind === 'balance') push({ kind: 'balance', balance: change.balance });
      else if (change.kind === 'entry') push({ kind: 'entry', entry: change.entry });
      else if (change.kind === 'transfer') {
        // As the store applies it: the insert only when the transfer is new, then the patch.
        const current = transfers.get(change.id) ?? change.insert;
        if (current === undefined) continue;
        const next: TransferView = { ...current, ...change.set };
        transfers.set(change.id, next);
        push({ kind: 'transfer', transfer: next });
      }
    }
  }
  // One per wallet, after everything of the batch: its latest version (and that event's trace).
  const wallets = new Map<string, StoredEvent>();
  for (const { stored } of projected) if (stored.event.walletId) wallets.set(stored.event.walletId, stored);
  for (const [walletId, { event, trace }] of wallets) notifications.push({ kind: 'wallet', walletId, version: event.version, ...(trace === undefined ? {} : { trace }) });
  return notifications;
}
