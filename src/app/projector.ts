/**
 * The projector role: journal events in, read models out, then live notifications. The order
 * matters: a notification is published only after its write, so a client reacting to it with a
 * query sees at least what the notification said.
 */
import type { LiveBus, LiveNotification, ProjectionChange, ReadStore, StoredEvent, TransferView } from '../ports.js';
import { projectEvent } from './projection.js';

export type Projector = {
  /** Journal sequence up to which the read models are complete. */
  checkpoint(): Promise<number>;
  /** Applies a batch of consecutive journal events (already applied ones are skipped). */
  project(batch: readonly StoredEvent[]): Promise<void>;
};

export function createProjector({ store, live }: { store: ReadStore; live: LiveBus }): Projector {
  let applied: number | null = null;

  return {
    async checkpoint() {
      applied = await store.checkpoint();
      return applied;
    },

    async project(batch) {
      if (batch.length === 0) return;
      applied ??= await store.checkpoint();
      const fresh = batch.filter((stored) => stored.seq > (applied as number));
      if (fresh.length === 0) return;
      // Never project past a gap: a later batch applied over a missing one would move the
      // checkpoint beyond events that were never written, and they would then be skipped for good.
      if (fresh[0]!.seq !== (applied as number) + 1) {
        const expected = (applied as number) + 1;
        applied = null;
        throw new Error(`projection gap: expected journal seq ${expected}, got ${fresh[0]!.seq}`);
      }
      const changes = fresh.flatMap(projectEvent);
      const uptoSeq = fresh[fresh.length - 1]!.seq;
      // Read before the write: each transfer's notifications replay the batch's changes on it one by one.
      const transferIds = [...new Set(changes.flatMap((c) => (c.kind === 'transfer' ? [c.id] : [])))];
      const transfersBefore = transferIds.length > 0 ? await store.transfersByIds(transferIds) : [];
      await store.apply(changes, uptoSeq);
      applied = uptoSeq;
      await live.publish(notificationsOf(fresh, changes, transfersBefore));
    },
  };
}

/**
 * One notification per change, in journal order. A transfer change is a patch: subscribers get the
 * whole transfer as that change left it, so a batch holding several stages of one transfer (a
 * projector catching up) still shows each stage, as `transferUpdated` promises.
 */
function notificationsOf(events: readonly StoredEvent[], changes: readonly ProjectionChange[], transfersBefore: readonly TransferView[]): LiveNotification[] {
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
