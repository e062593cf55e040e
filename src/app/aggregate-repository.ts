/**
 * Aggregates rebuilt from the journal, cached per process. The cache may be stale (another
 * processor appended meanwhile): appends are guarded by the expected sequence, and a conflict
 * catches the cached copy up from where it stopped instead of reloading everything.
 */
import type { AssetCatalog } from '../domain/asset.js';
import type { AssetEventEnvelope, WalletEventEnvelope } from '../domain/events.js';
import { type AssetState, evolveAsset, initialAssetState } from '../domain/asset.aggregate.js';
import { evolveWallet } from '../domain/wallet.evolve.js';
import { type WalletState, initialWalletState } from '../domain/wallet.state.js';
import type { AggregateRef, Journal, StoredEvent } from '../ports.js';
import { Lru } from './lru.js';

export type Loaded<S> = {
  state: S;
  /** Journal sequence of the aggregate's last event; 0 when it has none. */
  lastSeq: number;
  version: number;
  lastOccurredAt: string | null;
  /** Command ids this aggregate has accepted, with where their event landed: the durable dedupe record. */
  handled: Map<string, { version: number; seq: number }>;
};

/**
 * Versions must run 1, 2, 3 … with no gap and no repeat. On replicated streams before
 * nats-server 2.9.21 two concurrent appends could both pass the sequence check, so a reader must
 * notice instead of folding a forked history.
 */
export class JournalCorruptionError extends Error {
  constructor(ref: AggregateRef, expected: number, found: number) {
    super(`${ref.kind} ${ref.id}: expected event version ${expected}, found ${found}`);
    this.name = 'JournalCorruptionError';
  }
}

type Spec<S> = {
  initial(id: string): S;
  evolve(state: S, stored: StoredEvent): S;
};

export type AggregateRepository<S> = {
  load(ref: AggregateRef): Promise<Loaded<S>>;
  /** Reads whatever the journal has beyond the cached copy. */
  catchUp(ref: AggregateRef): Promise<Loaded<S>>;
  /** Records our own successful append without a round trip. */
  appended(ref: AggregateRef, stored: StoredEvent): Loaded<S>;
  forget(ref: AggregateRef): void;
};

function createRepository<S>(journal: Journal, spec: Spec<S>, capacity: number): AggregateRepository<S> {
  const cache = new Lru<string, Loaded<S>>(capacity);
  const key = (ref: AggregateRef) => `${ref.kind}:${ref.id}`;

  const fold = (ref: AggregateRef, from: Loaded<S>, events: readonly StoredEvent[]): Loaded<S> => {
    const next: Loaded<S> = { ...from, handled: from.handled };
    try {
      for (const stored of events) {
        const expected = next.version + 1;
        if (stored.event.version !== expected) throw new JournalCorruptionError(ref, expected, stored.event.version);
        next.state = spec.evolve(next.state, stored);
        next.version = stored.event.version;
        next.lastSeq = stored.seq;
        next.lastOccurredAt = stored.event.occurredAt;
        next.handled.set(stored.event.commandId, { version: stored.event.version, seq: stored.seq });
      }
    } catch (error) {
      // `handled` is shared with the cached copy and may be half-updated: drop it, reload next time.
      cache.delete(key(ref));
      throw error;
    }
    // A counterparty check catches a wallet up without holding its lock: its read may finish after
    // a newer copy was cached (by the wallet's own command) and must not roll the cache back.
    const current = cache.get(key(ref));
    if (!current || current.version <= next.version) cache.set(key(ref), next);
    return next;
  };

  const empty = (ref: AggregateRef): Loaded<S> => ({
    state: spec.initial(ref.id),
    lastSeq: 0,
    version: 0,
    lastOccurredAt: null,
    handled: new Map(),
  });

  return {
    async load(ref) {
      const cached = cache.get(key(ref));
      if (cached) return cached;
      return fold(ref, empty(ref), await journal.read(ref));
    },
    async catchUp(ref) {
      const cached = cache.get(key(ref)) ?? empty(ref);
      return fold(ref, cached, await journal.read(ref, cached.lastSeq));
    },
    appended(ref, stored) {
      const cached = cache.get(key(ref));
      // Not cached (evicted, or dropped after a failed read): the next load reads our event from the journal.
      if (!cached) return empty(ref);
      // Someone else's catch-up already read our event back from the journal.
      if (cached.lastSeq >= stored.seq) return cached;
      return fold(ref, cached, [stored]);
    },
    forget(ref) {
      cache.delete(key(ref));
    },
  };
}

export const createWalletRepository = (journal: Journal, catalog: () => AssetCatalog, capacity = 10_000) =>
  createRepository<WalletState>(
    journal,
    {
      initial: initialWalletState,
      evolve: (state, stored) => evolveWallet(state, stored.event as WalletEventEnvelope, catalog()),
    },
    capacity,
  );

export const createAssetRepository = (journal: Journal) =>
  createRepository<AssetState>(
    journal,
    {
      initial: initialAssetState,
      evolve: (state, stored) => evolveAsset(state, stored.event as AssetEventEnvelope),
    },
    1_000,
  );
