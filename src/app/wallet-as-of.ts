/**
 * Time travel over the journal: the whole wallet as it stood at an instant or after a version.
 * It is folded from the wallet's own events with the wallet decider's `evolve`, the same fold the
 * processor decides on, so it is a replay by construction; the read models (which may lag, and
 * keep only the present) are not consulted.
 *
 * A snapshot shortens the fold when it lies within the cut: it holds the wallet as of one event
 * (the latest the processor had when it wrote it), so it can stand in for the events up to that one
 * only if that event is itself within the cut. A snapshot past the cut is of no use (states do not
 * fold backwards) and the fold starts from the beginning, as it does without snapshots.
 */
import type { AssetCatalog } from '../domain/asset.js';
import type { WalletEventEnvelope } from '../domain/events.js';
import { formatAmount } from '../domain/money.js';
import { UnreadableEventError } from '../domain/wallet.evolve.js';
import type { WalletState } from '../domain/wallet.state.js';
import type { AggregateRef, AggregateSnapshot, BalanceView, Journal, Log, SnapshotStore, StoredEvent, WalletStatus } from '../ports.js';
import { JournalCorruptionError, type Loaded, emptyLoaded, foldEvents, restoreSnapshot } from './aggregate-repository.js';
import { walletAggregate } from './aggregate-types.js';
import { type CatalogCache, loadCatalog } from './catalog.js';

/** Everything that happened at or before `at`, or the events up to and including `version`. */
export type AsOfCut = Readonly<{ kind: 'at'; at: Date }> | Readonly<{ kind: 'version'; version: number }>;

export type WalletStateView = Readonly<{
  walletId: string;
  /** For authorization; not part of the GraphQL WalletState. */
  ownerId: string;
  name: string;
  status: WalletStatus;
  /** The last event version included. */
  version: number;
  /** When that last event happened. */
  occurredAt: Date;
  /** By asset code; each with the version and time of the event that last changed it, as the read model keeps them. */
  balances: BalanceView[];
}>;

/** Asked for an asset the catalog does not know: the catalog is older than the wallet's history. */
class StaleCatalogError extends Error {}

/**
 * The state after the events of `events` that fall within `cut`, folded onto `start` (the empty
 * wallet, or a restored snapshot within the cut); null when the wallet did not exist then, or when
 * a version cut names a version the wallet has not reached.
 */
export function walletStateAsOf(
  walletId: string,
  events: readonly StoredEvent[],
  cut: AsOfCut,
  assets: AssetCatalog,
  start: Loaded<WalletState> = emptyLoaded(walletAggregate.decider.initialState(walletId)),
): WalletStateView | null {
  const ref: AggregateRef = { kind: 'wallet', id: walletId };
  // Versions count up and event time never runs backwards within a wallet (the processor sees to
  // both), so the events within a cut are a prefix: the first one outside ends it.
  const end = events.findIndex((stored) => !within(stored.event, cut));
  const loaded = foldEvents(walletAggregate, ref, start, end === -1 ? events : events.slice(0, end), { assets });
  const { state } = loaded;
  if (loaded.lastOccurredAt === null || !state.exists) return null;
  if (cut.kind === 'version' && state.version < cut.version) return null;
  return viewOf(state, loaded.lastOccurredAt, assets);
}

function viewOf(state: WalletState, lastOccurredAt: string, assets: AssetCatalog): WalletStateView {
  const balances = [...state.balances]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([asset, balance]): BalanceView => {
      const decimals = assets.get(asset)?.decimals;
      if (decimals === undefined) throw new StaleCatalogError(`asset ${asset} is not in the catalog`);
      const change = state.balanceChanges.get(asset);
      // evolveWallet sets a balance only from an event, and records that event beside it.
      if (change === undefined) throw new Error(`wallet ${state.id}: balance of ${asset} without the event that set it`);
      return {
        walletId: state.id,
        asset,
        total: formatAmount(balance.total, decimals),
        reserved: formatAmount(balance.reserved, decimals),
        available: formatAmount(balance.total - balance.reserved, decimals),
        version: change.version,
        updatedAt: new Date(change.occurredAt),
      };
    });
  return {
    walletId: state.id,
    ownerId: state.ownerId,
    name: state.name,
    status: state.status,
    version: state.version,
    occurredAt: new Date(lastOccurredAt),
    balances,
  };
}

const within = (event: Pick<WalletEventEnvelope, 'occurredAt' | 'version'>, cut: AsOfCut): boolean => {
  switch (cut.kind) {
    case 'at':
      return Date.parse(event.occurredAt) <= cut.at.getTime();
    case 'version':
      return event.version <= cut.version;
    default: {
      const _exhaustive: never = cut;
      return _exhaustive;
    }
  }
};

const snapshotWithin = (snapshot: AggregateSnapshot, cut: AsOfCut): boolean => within({ occurredAt: snapshot.lastOccurredAt, version: snapshot.version }, cut);

export type WalletAsOf = (walletId: string, cut: AsOfCut) => Promise<WalletStateView | null>;

export type WalletAsOfDeps = Readonly<{
  journal: Journal;
  /** Read only: the processors write them. */
  snapshots?: SnapshotStore | undefined;
  log?: Log | undefined;
  /** Test hook: told whether a fold started from a snapshot. */
  onFold?: (from: 'snapshot' | 'start', events: number) => void;
}>;

/**
 * Reads the wallet's events through the Journal port (after a usable snapshot, if any) and folds
 * them. The asset catalog (needed to read amounts in each asset's scale) is read once and again
 * only when the history names an asset registered since.
 */
export function createWalletAsOf(deps: WalletAsOfDeps): WalletAsOf {
  const { journal, snapshots, log, onFold } = deps;
  let catalog: Promise<CatalogCache> | null = null;
  const loadOnce = (): Promise<CatalogCache> => {
    // A failed read is not cached: the next call tries again.
    catalog ??= loadCatalog(journal).catch((error: unknown) => {
      catalog = null;
      throw error;
    });
    return catalog;
  };

  /** The snapshot as a starting point, if it is within the cut and trustworthy. */
  const startingPoint = async (ref: AggregateRef, cut: AsOfCut): Promise<Loaded<WalletState> | null> => {
    const snapshot = await snapshots?.load(ref).catch(() => null);
    if (!snapshot || !snapshotWithin(snapshot, cut)) return null;
    const restored = await restoreSnapshot(walletAggregate, ref, snapshot, journal);
    if ('loaded' in restored) return restored.loaded;
    log?.warn({ ref, reason: restored.ignored }, 'snapshot ignored; replaying from the start');
    return null;
  };

  const fold = async (walletId: string, cut: AsOfCut, start: Loaded<WalletState> | null): Promise<WalletStateView | null> => {
    const events = await journal.read({ kind: 'wallet', id: walletId }, start?.lastSeq ?? 0);
    if (start === null && events.length === 0) return null;
    onFold?.(start ? 'snapshot' : 'start', events.length);
    const cache = await loadOnce();
    const attempt = () => walletStateAsOf(walletId, events, cut, cache.current(), start ?? undefined);
    try {
      return attempt();
    } catch (error) {
      if (!(error instanceof UnreadableEventError || error instanceof StaleCatalogError)) throw error;
      await cache.reload();
      return attempt();
    }
  };

  return async (walletId, cut) => {
    const start = await startingPoint({ kind: 'wallet', id: walletId }, cut);
    if (start === null) return fold(walletId, cut, null);
    try {
      return await fold(walletId, cut, start);
    } catch (error) {
      // The events after the snapshot do not follow it: the snapshot is not to be trusted after all.
      if (!(error instanceof JournalCorruptionError)) throw error;
      log?.warn({ walletId, err: error }, 'events do not follow the snapshot; replaying from the start');
      return fold(walletId, cut, null);
    }
  };
}
