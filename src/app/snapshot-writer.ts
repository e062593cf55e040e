/**
 * Writes snapshots in the background, one at a time, so a command never waits for one: the
 * repository hands over a thunk and moves on. Requests for the same aggregate coalesce (only the
 * newest is written), and a failed write is logged and forgotten: a snapshot is an optimisation,
 * the journal stays the truth, and the next threshold schedules another.
 */
import type { AggregateRef, AggregateSnapshot, Log, SnapshotStore } from '../ports.js';

export type SnapshotWriter = {
  schedule(ref: AggregateRef, snapshot: () => AggregateSnapshot): void;
  /** Resolves once everything scheduled so far is written (or has failed). */
  flush(): Promise<void>;
};

/** Pending snapshots beyond this are dropped (the newest are kept): a slow store must not grow memory. */
const MAX_PENDING = 1_000;

export function createSnapshotWriter(store: SnapshotStore, log?: Log): SnapshotWriter {
  const pending = new Map<string, { ref: AggregateRef; snapshot: () => AggregateSnapshot }>();
  let running: Promise<void> | null = null;

  const drain = async (): Promise<void> => {
    for (let next = first(); next; next = first()) {
      const [key, { ref, snapshot }] = next;
      pending.delete(key);
      try {
        await store.save(ref, snapshot());
      } catch (error) {
        log?.warn({ ref, err: error }, 'snapshot not written; the aggregate loads from the journal until the next one');
      }
    }
  };
  const first = () => pending.entries().next().value;

  return {
    schedule(ref, snapshot) {
      const key = `${ref.kind}:${ref.id}`;
      pending.delete(key);
      pending.set(key, { ref, snapshot });
      const oldest = pending.keys().next();
      if (pending.size > MAX_PENDING && !oldest.done) pending.delete(oldest.value);
      running ??= drain().finally(() => (running = null));
    },
    async flush() {
      while (running) await running;
    },
  };
}
