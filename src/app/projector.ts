/**
 * The projector role: journal events in, read models out, then live notifications. The order
 * matters: a notification is published only after its write, so a client reacting to it with a
 * query sees at least what the notification said.
 */
import type { LiveBus, LiveNotification, ProjectionChange, ReadStore, StoredEvent } from '../ports.js';
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
      const changes = fresh.flatMap(projectEvent);
      const uptoSeq = fresh[fresh.length - 1]!.seq;
      await store.apply(changes, uptoSeq);
      applied = uptoSeq;
      await live.publish(await notificationsOf(store, fresh, changes));
    },
  };
}

async function notificationsOf(store: ReadStore, events: readonly StoredEvent[], changes: readonly ProjectionChange[]): Promise<LiveNotification[]> {
  const notifications: LiveNotification[] = [];
  const transferIds = new Set<string>();
  for (const change of changes) {
    if (change.kind === 'balance') notifications.push({ kind: 'balance', balance: change.balance });
    else if (change.kind === 'entry') notifications.push({ kind: 'entry', entry: change.entry });
    else if (change.kind === 'transfer') transferIds.add(change.id);
  }
  // A transfer change is a patch; subscribers want the whole transfer as it now stands.
  if (transferIds.size > 0) {
    for (const transfer of await store.transfersByIds([...transferIds])) notifications.push({ kind: 'transfer', transfer });
  }
  const walletVersions = new Map<string, number>();
  for (const { event } of events) if (event.walletId) walletVersions.set(event.walletId, event.version);
  for (const [walletId, version] of walletVersions) notifications.push({ kind: 'wallet', walletId, version });
  return notifications;
}
