/**
 * What the wallet decider needs to know, and no more. The state stays bounded however long the
 * wallet lives: a transfer leaves `openTransfers` once it completes, fails or is cancelled, and
 * command deduplication is the app's job (by command id), not a set growing here.
 */

export type WalletStatus = 'ACTIVE' | 'CLOSED';

/** Base units; `available` is `total - reserved`, never stored so it can never disagree. */
export type Balance = Readonly<{ total: bigint; reserved: bigint }>;

/** SCHEDULED: the amount is reserved. PENDING: debited, in flight to the destination. */
export type OpenTransfer = Readonly<{
  status: 'SCHEDULED' | 'PENDING';
  toWalletId: string;
  asset: string;
  amount: bigint;
  /** Normalised ISO instant of a scheduled transfer; kept once it runs, null for an immediate one. */
  executeAt: string | null;
}>;

export type WalletState = Readonly<{
  exists: boolean;
  id: string;
  ownerId: string;
  name: string;
  status: WalletStatus;
  /** The version of the last event applied; 0 before the first. */
  version: number;
  balances: ReadonlyMap<string, Balance>;
  /**
   * For each balance, the event that last set it. No rule reads it; time travel reports it (a
   * balance's version and time), and keeping it here lets a snapshot answer that as well as a replay.
   */
  balanceChanges: ReadonlyMap<string, BalanceChange>;
  openTransfers: ReadonlyMap<string, OpenTransfer>;
}>;

export type BalanceChange = Readonly<{ version: number; occurredAt: string }>;

export const initialWalletState = (id: string): WalletState => ({
  exists: false,
  id,
  ownerId: '',
  name: '',
  status: 'ACTIVE',
  version: 0,
  balances: new Map(),
  balanceChanges: new Map(),
  openTransfers: new Map(),
});

export const ZERO_BALANCE: Balance = { total: 0n, reserved: 0n };

export const balanceOf = (state: WalletState, asset: string): Balance => state.balances.get(asset) ?? ZERO_BALANCE;

export const availableOf = (balance: Balance): bigint => balance.total - balance.reserved;
