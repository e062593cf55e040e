/**
 * One index per query shape of the ReadStore, named so a changed definition is easy to spot.
 * createIndexes is idempotent, so every start may call it.
 */
import type { ReadModelCollections } from './collections.js';

export async function ensureReadModelIndexes(c: ReadModelCollections): Promise<void> {
  await Promise.all([
    c.wallets.createIndexes([
      // listWallets: by owner (optionally by status, filtered on the few wallets of one owner), by status, or all.
      { key: { ownerId: 1, createdSeq: 1 }, name: 'owner_createdSeq' },
      { key: { status: 1, createdSeq: 1 }, name: 'status_createdSeq' },
      { key: { createdSeq: 1 }, name: 'createdSeq' },
    ]),
    c.balances.createIndexes([{ key: { walletId: 1, asset: 1 }, name: 'wallet_asset' }]),
    ...c.walletShards.map((shard) =>
      c.entries(shard).createIndexes([
        // History newest first, and balanceAt: within one wallet the journal sequence grows with the version.
        { key: { walletId: 1, seq: -1 }, name: 'wallet_seq' },
        { key: { walletId: 1, asset: 1, seq: -1 }, name: 'wallet_asset_seq' },
      ]),
    ),
    ...c.walletShards.map((shard) =>
      c.transfers(shard).createIndexes([
        { key: { fromWalletId: 1, createdSeq: -1 }, name: 'from_createdSeq' },
        { key: { toWalletId: 1, createdSeq: -1 }, name: 'to_createdSeq' },
        { key: { status: 1, executeAt: 1 }, name: 'status_executeAt' },
      ]),
    ),
  ]);
}
