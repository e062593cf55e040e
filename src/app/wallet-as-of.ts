/**
 * Time travel over the journal: the whole wallet as it stood at an instant or after a version.
 * It is folded from the wallet's own events with the domain's `evolveWallet`, the same fold the
 * processor decides on, so it is a replay by construction; the read models (which may lag, and
 * keep only the present) are not consulted.
 */
import type { AssetCatalog } from '../domain/asset.js';
import { catalogFromEvents } from '../domain/asset.aggregate.js';
import type { WalletEvent, WalletEventEnvelope } from '../domain/events.js';
import { formatAmount } from '../domain/money.js';
import { UnreadableEventError, evolveWallet } from '../domain/wallet.evolve.js';
import { initialWalletState } from '../domain/wallet.state.js';
import type { BalanceView, Journal, StoredEvent, WalletStatus } from '../ports.js';
import { JournalCorruptionError } from './aggregate-repository.js';

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

/**
 * The state after the events of `events` that fall within `cut`; null when none does (before the
 * wallet was created) or when a version cut names a version the wallet has not reached.
 */
export function walletStateAsOf(walletId: string, events: readonly StoredEvent[], cut: AsOfCut, assets: AssetCatalog): WalletStateView | null {
  let state = initialWalletState(walletId);
  let last: WalletEventEnvelope | null = null;
  const changed = new Map<string, { version: number; at: Date }>();
  for (const stored of events) {
    const envelope = stored.event as WalletEventEnvelope;
    // Versions count up and event time never runs backwards within a wallet (the processor sees
    // to both), so the events within a cut are a prefix: the first one outside ends it.
    if (!within(envelope, cut)) break;
    if (envelope.version !== state.version + 1) throw new JournalCorruptionError({ kind: 'wallet', id: walletId }, state.version + 1, envelope.version);
    state = evolveWallet(state, envelope, assets);
    const asset = balanceAssetOf(envelope);
    if (asset !== null) changed.set(asset, { version: envelope.version, at: new Date(envelope.occurredAt) });
    last = envelope;
  }
  if (last === null || !state.exists) return null;
  if (cut.kind === 'version' && state.version < cut.version) return null;

  const balances = [...state.balances]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([asset, balance]): BalanceView => {
      const decimals = assets.get(asset)?.decimals;
      const change = changed.get(asset);
      // evolveWallet already read every amount of this asset with the catalog, and set it from an event.
      if (decimals === undefined || change === undefined) throw new Error(`wallet ${walletId}: balance of ${asset} without its asset or event`);
      return {
        walletId,
        asset,
        total: formatAmount(balance.total, decimals),
        reserved: formatAmount(balance.reserved, decimals),
        available: formatAmount(balance.total - balance.reserved, decimals),
        version: change.version,
        updatedAt: change.at,
      };
    });
  return {
    walletId,
    ownerId: state.ownerId,
    name: state.name,
    status: state.status,
    version: state.version,
    occurredAt: new Date(last.occurredAt),
    balances,
  };
}

const within = (envelope: WalletEventEnvelope, cut: AsOfCut): boolean => {
  switch (cut.kind) {
    case 'at':
      return Date.parse(envelope.occurredAt) <= cut.at.getTime();
    case 'version':
      return envelope.version <= cut.version;
    default: {
      const _exhaustive: never = cut;
      return _exhaustive;
    }
  }
};

/** The asset whose balance the event sets (it carries totalAfter and reservedAfter), or null. */
const balanceAssetOf = (envelope: WalletEventEnvelope): string | null => {
  // See wallet.evolve.ts: an envelope always pairs `type` and `data` of the same event.
  const event = { type: envelope.type, data: envelope.data } as WalletEvent;
  switch (event.type) {
    case 'FundsDeposited':
    case 'FundsWithdrawn':
    case 'TransferScheduled':
    case 'TransferCancelled':
    case 'TransferDebited':
    case 'TransferCredited':
    case 'TransferFailed':
      return event.data.asset;
    case 'WalletCreated':
    case 'WalletRenamed':
    case 'WalletClosed':
    case 'TransferRescheduled':
    case 'TransferCompleted':
      return null;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};

export type WalletAsOf = (walletId: string, cut: AsOfCut) => Promise<WalletStateView | null>;

/**
 * Reads the wallet's events through the Journal port and folds them. The asset catalog (needed
 * to read amounts in each asset's scale) is read once and again only when an event names an
 * asset registered since.
 */
export function createWalletAsOf(journal: Journal): WalletAsOf {
  let catalog: Promise<AssetCatalog> | null = null;
  const loadCatalog = (): Promise<AssetCatalog> => {
    const loading = journal.readAssets().then((stored) => catalogFromEvents(stored.map((s) => s.event)));
    // A failed read is not cached: the next call tries again.
    catalog = loading.catch((error: unknown) => {
      catalog = null;
      throw error;
    });
    return catalog;
  };

  return async (walletId, cut) => {
    const events = await journal.read({ kind: 'wallet', id: walletId });
    if (events.length === 0) return null;
    try {
      return walletStateAsOf(walletId, events, cut, await (catalog ?? loadCatalog()));
    } catch (error) {
      if (!(error instanceof UnreadableEventError)) throw error;
      return walletStateAsOf(walletId, events, cut, await loadCatalog());
    }
  };
}
