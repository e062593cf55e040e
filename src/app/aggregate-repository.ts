/**
 * Aggregates rebuilt from the journal, cached per process. A cold load starts from the latest
 * snapshot when one can be trusted and folds only the events after it; otherwise it folds the whole
 * history, exactly as before snapshots existed. The cache may be stale (another processor appended
 * meanwhile): appends are guarded by the expected sequence, and a conflict catches the cached copy
 * up from where it stopped instead of reloading everything.
 */
import type { DomainEvent } from '../domain/events.js';
import type { Knowledge } from '../domain/decider.js';
import type { AggregateRef, AggregateSnapshot, Journal, Log, SnapshotStore, StoredEvent } from '../ports.js';
import type { AggregateType } from './aggregate-types.js';
import { Lru } from './lru.js';
import { RecentCommands } from './recent-commands.js';
import type { SnapshotWriter } from './snapshot-writer.js';

export type Loaded<S> = Readonly<{
  state: S;
  /** Journal sequence of the aggregate's last event; 0 when it has none. */
  lastSeq: number;
  version: number;
  lastEventId: string | null;
  lastOccurredAt: string | null;
  /** Command ids this aggregate accepted last, with where their events landed (bounded). */
  recent: RecentCommands;
  /** Version of the newest snapshot this copy knows of (restored from or handed to the writer); 0: none. */
  snapshotVersion: number;
}>;

/**
 * Versions must run 1, 2, 3 … with no gap and no repeat. On replicated streams before
 * nats-server 2.9.21 two concurrent appends could both pass the sequence check, so a reader must
 * notice instead of folding a forked history.
 */
export class JournalCorruptionError extends Error {
  constructor(ref: AggregateRef, expected: number, found: number | string) {
    super(`${ref.kind} ${ref.id}: expected event version ${expected}, found ${found}`);
    this.name = 'JournalCorruptionError';
  }
}

export type AggregateRepository<S> = {
  load(ref: AggregateRef): Promise<Loaded<S>>;
  /** Reads whatever the journal has beyond the cached copy. */
  catchUp(ref: AggregateRef): Promise<Loaded<S>>;
  /** Records our own successful append without a round trip. */
  appended(ref: AggregateRef, stored: StoredEvent): void;
  forget(ref: AggregateRef): void;
};

export type RepositoryDeps = Readonly<{
  journal: Journal;
  knowledge: () => Knowledge;
  snapshots?: SnapshotStore | undefined;
  /** Where snapshots go, off the hot path; none: this repository writes none. */
  writer?: SnapshotWriter | undefined;
  /** A snapshot every this many events (0: never). */
  snapshotEvery?: number | undefined;
  capacity?: number | undefined;
  log?: Log | undefined;
}>;

/** Folds `events` (the aggregate's, in order, each the next version) into `from`. Pure; throws on a gap or a stranger's event. */
export function foldEvents<C, E extends DomainEvent, S, X extends Knowledge>(
  type: AggregateType<C, E, S, X>,
  ref: AggregateRef,
  from: Loaded<S>,
  events: readonly StoredEvent[],
  knowledge: Knowledge,
): Loaded<S> {
  if (events.length === 0) return from;
  let { state, version, lastSeq, lastEventId, lastOccurredAt } = from;
  const accepted = [];
  for (const { seq, event } of events) {
    const expected = version + 1;
    if (!type.owns(event)) throw new JournalCorruptionError(ref, expected, `a ${event.type} event, which is not a ${type.kind}'s`);
    if (event.version !== expected) throw new JournalCorruptionError(ref, expected, event.version);
    state = type.decider.evolve(state, event, knowledge);
    ({ version, id: lastEventId, occurredAt: lastOccurredAt } = event);
    lastSeq = seq;
    accepted.push({ commandId: event.commandId, version, seq });
  }
  return { ...from, state, version, lastSeq, lastEventId, lastOccurredAt, recent: from.recent.with(accepted) };
}

export const emptyLoaded = <S>(state: S): Loaded<S> => ({
  state,
  lastSeq: 0,
  version: 0,
  lastEventId: null,
  lastOccurredAt: null,
  recent: RecentCommands.empty(),
  snapshotVersion: 0,
});

/**
 * The aggregate as `snapshot` describes it, or null when the snapshot cannot be trusted: written in
 * another state shape, a state that does not decode, or a journal that does not hold the snapshot's
 * last event at its sequence (a snapshot of another journal, or of a history since rewritten).
 */
export async function restoreSnapshot<C, E extends DomainEvent, S, X extends Knowledge>(
  type: AggregateType<C, E, S, X>,
  ref: AggregateRef,
  snapshot: AggregateSnapshot,
  journal: Pick<Journal, 'eventAt'>,
): Promise<{ loaded: Loaded<S> } | { ignored: string }> {
  if (snapshot.shape !== type.codec.shape) return { ignored: `state shape ${snapshot.shape}, this release reads shape ${type.codec.shape}` };
  const state = type.codec.decode(snapshot.state, ref.id);
  if (state === null) return { ignored: 'its state does not decode' };
  const anchor = await journal.eventAt(ref, snapshot.seq);
  if (anchor?.id !== snapshot.lastEventId || anchor.version !== snapshot.version) {
    return { ignored: `the journal does not hold its last event ${snapshot.lastEventId} (version ${snapshot.version}) at sequence ${snapshot.seq}` };
  }
  return {
    loaded: {
      state,
      lastSeq: snapshot.seq,
      version: snapshot.version,
      lastEventId: snapshot.lastEventId,
      lastOccurredAt: snapshot.lastOccurredAt,
      recent: RecentCommands.of(snapshot.recent),
      snapshotVersion: snapshot.version,
    },
  };
}

export function snapshotOf<S>(codec: { shape: number; encode(state: S): unknown }, loaded: Loaded<S>): AggregateSnapshot {
  if (loaded.lastEventId === null || loaded.lastOccurredAt === null) throw new Error('no snapshot of an aggregate without events');
  return {
    shape: codec.shape,
    version: loaded.version,
    seq: loaded.lastSeq,
    lastEventId: loaded.lastEventId,
    lastOccurredAt: loaded.lastOccurredAt,
    recent: loaded.recent.toArray(),
    state: codec.encode(loaded.state),
  };
}

export function createAggregateRepository<C, E extends DomainEvent, S, X extends Knowledge>(
  type: AggregateType<C, E, S, X>,
  deps: RepositoryDeps,
): AggregateRepository<S> {
  const { journal, knowledge, snapshots, writer, snapshotEvery = 0, log } = deps;
  const cache = new Lru<string, Loaded<S>>(deps.capacity ?? 10_000);
  const key = (ref: AggregateRef) => `${ref.kind}:${ref.id}`;
  const empty = (ref: AggregateRef) => emptyLoaded(type.decider.initialState(ref.id));

  /** Hands a snapshot to the writer once enough events have passed since the last one. */
  const maybeSnapshot = (ref: AggregateRef, loaded: Loaded<S>): Loaded<S> => {
    if (!writer || snapshotEvery <= 0 || loaded.version - loaded.snapshotVersion < snapshotEvery) return loaded;
    // Encoding waits for the writer (off the hot path); the state is immutable, so it is the state of now.
    writer.schedule(ref, () => snapshotOf(type.codec, loaded));
    return { ...loaded, snapshotVersion: loaded.version };
  };

  const fold = (ref: AggregateRef, from: Loaded<S>, events: readonly StoredEvent[]): Loaded<S> => {
    let next: Loaded<S>;
    try {
      next = maybeSnapshot(ref, foldEvents<C, E, S, X>(type, ref, from, events, knowledge()));
    } catch (error) {
      cache.delete(key(ref));
      throw error;
    }
    // A counterparty check catches a wallet up without holding its lock: its read may finish after
    // a newer copy was cached (by the wallet's own command) and must not roll the cache back.
    const current = cache.get(key(ref));
    if (!current || current.version <= next.version) cache.set(key(ref), next);
    return next;
  };

  /** Snapshot plus the events after it; the whole history when no snapshot can be trusted. */
  const cold = async (ref: AggregateRef): Promise<Loaded<S>> => {
    const snapshot = snapshots ? await snapshots.load(ref).catch((error: unknown) => (log?.warn({ ref, err: error }, 'snapshot unreadable; replaying'), null)) : null;
    if (snapshot) {
      const restored = await restoreSnapshot<C, E, S, X>(type, ref, snapshot, journal);
      if ('loaded' in restored) {
        try {
          return fold(ref, restored.loaded, await journal.read(ref, restored.loaded.lastSeq));
        } catch (error) {
          if (!(error instanceof JournalCorruptionError)) throw error;
          log?.warn({ ref, err: error }, 'the events after a snapshot do not follow it; replaying from the start');
        }
      } else {
        log?.warn({ ref, reason: restored.ignored }, 'snapshot ignored; replaying from the start');
      }
    }
    // Whatever the snapshot was, the one written from this replay replaces it.
    return fold(ref, empty(ref), await journal.read(ref));
  };

  return {
    async load(ref) {
      return cache.get(key(ref)) ?? cold(ref);
    },
    async catchUp(ref) {
      const cached = cache.get(key(ref));
      if (!cached) return cold(ref);
      return fold(ref, cached, await journal.read(ref, cached.lastSeq));
    },
    appended(ref, stored) {
      const cached = cache.get(key(ref));
      // Not cached (evicted, or dropped after a failed read): the next load reads our event from the journal.
      // Already past it: someone else's catch-up read our event back from the journal.
      if (!cached || cached.lastSeq >= stored.seq) return;
      fold(ref, cached, [stored]);
    },
    forget(ref) {
      cache.delete(key(ref));
    },
  };
}
