/** The wallet state as JSON for snapshots: amounts as base-unit strings (exact), maps as lists of entries. */
import { field, list, text, units, whole, type Json, type StateCodec } from './state-codec.js';
import type { Balance, BalanceChange, OpenTransfer, WalletState } from './wallet.state.js';

/** Bump when WalletState (or what evolveWallet keeps in it) changes: older snapshots are then ignored. */
export const WALLET_STATE_SHAPE = 1;

export const walletStateCodec: StateCodec<WalletState> = {
  shape: WALLET_STATE_SHAPE,
  encode: (s): Json => ({
    exists: s.exists,
    id: s.id,
    ownerId: s.ownerId,
    name: s.name,
    status: s.status,
    version: s.version,
    balances: [...s.balances].map(([asset, b]) => ({ asset, total: b.total.toString(), reserved: b.reserved.toString() })),
    balanceChanges: [...s.balanceChanges].map(([asset, c]) => ({ asset, version: c.version, occurredAt: c.occurredAt })),
    openTransfers: [...s.openTransfers].map(([transferId, t]) => ({
      transferId,
      status: t.status,
      toWalletId: t.toWalletId,
      asset: t.asset,
      amount: t.amount.toString(),
      executeAt: t.executeAt,
    })),
  }),

  decode(json, id) {
    const exists = field(json, 'exists');
    const status = field(json, 'status');
    const ownerId = text(field(json, 'ownerId'));
    const name = text(field(json, 'name'));
    const version = whole(field(json, 'version'));
    if (typeof exists !== 'boolean' || text(field(json, 'id')) !== id || ownerId === undefined || name === undefined || version === undefined) return null;
    if (status !== 'ACTIVE' && status !== 'CLOSED') return null;
    const balances = list(field(json, 'balances'), (b): [string, Balance] | undefined => {
      const [asset, total, reserved] = [text(field(b, 'asset')), units(field(b, 'total')), units(field(b, 'reserved'))];
      return asset === undefined || total === undefined || reserved === undefined ? undefined : [asset, { total, reserved }];
    });
    const balanceChanges = list(field(json, 'balanceChanges'), (c): [string, BalanceChange] | undefined => {
      const [asset, changed, occurredAt] = [text(field(c, 'asset')), whole(field(c, 'version')), text(field(c, 'occurredAt'))];
      return asset === undefined || changed === undefined || occurredAt === undefined ? undefined : [asset, { version: changed, occurredAt }];
    });
    const openTransfers = list(field(json, 'openTransfers'), (t): [string, OpenTransfer] | undefined => {
      const transferStatus = field(t, 'status');
      const executeAt = field(t, 'executeAt');
      const [transferId, toWalletId, asset, amount] = [text(field(t, 'transferId')), text(field(t, 'toWalletId')), text(field(t, 'asset')), units(field(t, 'amount'))];
      if (transferId === undefined || toWalletId === undefined || asset === undefined || amount === undefined) return undefined;
      if ((transferStatus !== 'SCHEDULED' && transferStatus !== 'PENDING') || (executeAt !== null && typeof executeAt !== 'string')) return undefined;
      return [transferId, { status: transferStatus, toWalletId, asset, amount, executeAt }];
    });
    if (balances === undefined || balanceChanges === undefined || openTransfers === undefined) return null;
    return { exists, id, ownerId, name, status, version, balances: new Map(balances), balanceChanges: new Map(balanceChanges), openTransfers: new Map(openTransfers) };
  },
};
