/**
 * Projects one shard's journal events: read models first, then live notifications, then the
 * checkpoint. The order is what makes every crash harmless:
 * - a crash before or during the write, or before the checkpoint moves, replays the batch from
 *   the checkpoint: writes are idempotent and the notifications go out again (subscribers drop
 *   what they saw already by version), so none is lost;
 * - a notification never announces what a query could not see yet.
 * Every write and the checkpoint carry the owner's fencing epoch (see ProjectionStore).
 */
import type { Fence, LiveBus, LiveNotification, ProjectionChange, ProjectionStore, ReadStore, StoredEvent, TransferView } from '../ports.js';
import { projectEvent } from './projection.js';

export type ShardProjector = {
  /** Applies the next events of the shard, in journal order (already applied ones are skipped). */
  project(batch: readonly StoredEvent[]): Promise<void>;
};

export type ShardProjectorDeps = Readonly<{
  store: ProjectionStore;
  /** Transfers as they stood before the batch: their notifications replay the batch's patches one by one. */
  read: Pick<ReadStore, 'transfersByIds'>;
  live: LiveBus;
  fence: Fence;
  /** The checkpoint the owner claimed the shard at. */
  checkpoint: number;
  /** Crash tests stop the process at named points of a batch (see infra/failpoints.ts). */
  failpoint?: (name: 'projector.before-write' | 'projector.after-write' | 'projector.after-checkpoint') => void | Promise<void>;
}>;

export function createShardProjector({ store, read, live, fence, checkpoint, failpoint = () => undefined }: ShardProjectorDeps): ShardProjector {
  let applied = checkpoint;

  return {
    async project(batch) {
      const fresh = batch.filter((stored) => stored.seq > applied);
      if (fresh.length === 0) return;
      for (let i = 1; i < fresh.length; i++) {
        if (fresh[i]!.seq <= fresh[i - 1]!.seq) throw new Error(`shard ${fence.shard}: journal events out of order (${fresh[i - 1]!.seq}, then ${fresh[i]!.seq})`);
      }
      const projected = fresh.map((stored) => ({ stored, changes: projectEvent(stored) }));
      const changes = projected.flatMap((p) => p.changes);
      const uptoSeq = fresh[fresh.length - 1]!.seq;
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
    },
  };
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
