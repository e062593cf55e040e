import type { AssetCatalog } from './asset.js';
import type { WalletEventEnvelope } from './events.js';
import { parseAmount } from './money.js';
import type { Balance, OpenTransfer, WalletState } from './wallet.state.js';

/**
 * The journal holds an event the catalog cannot read: the catalog is stale (an asset registered
 * since it was loaded) or the journal is corrupt. Either way the state cannot be rebuilt safely,
 * so this is thrown rather than guessed around; the caller reloads the catalog or stops.
 */
export class UnreadableEventError extends Error {
  constructor(readonly envelope: WalletEventEnvelope, detail: string) {
    super(`wallet ${envelope.walletId} event ${envelope.version} (${envelope.type}): ${detail}`);
    this.name = 'UnreadableEventError';
  }
}

/**
 * Folds one journal event into the wallet state. Balances are set from the event's
 * `totalAfter`/`reservedAfter` rather than recomputed, so state and read models agree by
 * construction; the catalog supplies the scale to read those decimal strings.
 */
export const evolveWallet = (state: WalletState, envelope: WalletEventEnvelope, assets: AssetCatalog): WalletState => {
  const next = apply(state, envelope, (asset, text) => readUnits(envelope, assets, asset, text));
  return { ...next, version: envelope.version };
};

/** Replays events from the start (or from `state`, e.g. a snapshot). */
export const replayWallet = (state: WalletState, envelopes: Iterable<WalletEventEnvelope>, assets: AssetCatalog): WalletState => {
  let current = state;
  for (const envelope of envelopes) current = evolveWallet(current, envelope, assets);
  return current;
};

type ReadUnits = (asset: string, text: string) => bigint;

const apply = (state: WalletState, event: WalletEventEnvelope, read: ReadUnits): WalletState => {
  switch (event.type) {
    case 'WalletCreated':
      return { ...state, exists: true, ownerId: event.data.ownerId, name: event.data.name, status: 'ACTIVE' };
    case 'WalletRenamed':
      return { ...state, name: event.data.name };
    case 'WalletClosed':
      return { ...state, status: 'CLOSED' };
    case 'FundsDeposited':
    case 'FundsWithdrawn':
    case 'TransferCredited':
      return withBalance(state, event, balanceAfter(event.data, read));
    case 'TransferScheduled': {
      const { transferId, toWalletId, asset, amount, executeAt } = event.data;
      const open: OpenTransfer = { status: 'SCHEDULED', toWalletId, asset, amount: read(asset, amount), executeAt };
      return withTransfer(withBalance(state, event, balanceAfter(event.data, read)), transferId, open);
    }
    case 'TransferRescheduled': {
      const open = state.openTransfers.get(event.data.transferId);
      return open ? withTransfer(state, event.data.transferId, { ...open, executeAt: event.data.executeAt }) : state;
    }
    case 'TransferDebited': {
      const { transferId, toWalletId, asset, amount } = event.data;
      const executeAt = state.openTransfers.get(transferId)?.executeAt ?? null;
      const open: OpenTransfer = { status: 'PENDING', toWalletId, asset, amount: read(asset, amount), executeAt };
      return withTransfer(withBalance(state, event, balanceAfter(event.data, read)), transferId, open);
    }
    case 'TransferCancelled':
    case 'TransferFailed':
      return withTransfer(withBalance(state, event, balanceAfter(event.data, read)), event.data.transferId, null);
    case 'TransferCompleted':
      return withTransfer(state, event.data.transferId, null);
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
};

const balanceAfter = (data: Readonly<{ asset: string; totalAfter: string; reservedAfter: string }>, read: ReadUnits): Balance => ({
  total: read(data.asset, data.totalAfter),
  reserved: read(data.asset, data.reservedAfter),
});

/** Sets the balance the event states, and remembers which event set it (time travel reports it). */
const withBalance = (state: WalletState, event: WalletEventEnvelope & { data: { asset: string } }, balance: Balance): WalletState => ({
  ...state,
  balances: new Map(state.balances).set(event.data.asset, balance),
  balanceChanges: new Map(state.balanceChanges).set(event.data.asset, { version: event.version, occurredAt: event.occurredAt }),
});

const withTransfer = (state: WalletState, transferId: string, open: OpenTransfer | null): WalletState => {
  const openTransfers = new Map(state.openTransfers);
  if (open) openTransfers.set(transferId, open);
  else openTransfers.delete(transferId);
  return { ...state, openTransfers };
};

const readUnits = (envelope: WalletEventEnvelope, assets: AssetCatalog, asset: string, text: string): bigint => {
  const definition = assets.get(asset);
  if (!definition) throw new UnreadableEventError(envelope, `asset ${asset} is not in the catalog`);
  const parsed = parseAmount(text, definition.decimals);
  if (!parsed.ok) throw new UnreadableEventError(envelope, parsed.reason);
  return parsed.units;
};
