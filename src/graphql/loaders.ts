import DataLoader from 'dataloader';
import type { BalanceView, LedgerEntryView, Page, ReadStore, TransferStatus, TransferView, WalletView } from '../ports.js';

export type TransfersKey = Readonly<{ walletId: string; status?: TransferStatus | undefined }>;
export type EntriesKey = Readonly<{ walletId: string; asset?: string | undefined; first: number; beforeSeq?: number | undefined }>;
export type BalanceAtKey = Readonly<{ walletId: string; asset: string; at: Date }>;

/**
 * Every read a resolver makes goes through one of these, created per request (and per
 * subscription event): a query over N wallets costs one ReadStore call per kind of data, not N.
 */
export type Loaders = Readonly<{
  walletById: DataLoader<string, WalletView | null>;
  balancesByWalletId: DataLoader<string, BalanceView[]>;
  transferById: DataLoader<string, TransferView | null>;
  transfersByWalletId: DataLoader<TransfersKey, TransferView[], string>;
  entryById: DataLoader<string, LedgerEntryView | null>;
  /** The store pages one wallet at a time; the loader still removes repeats within a request. */
  entriesPage: DataLoader<EntriesKey, Page<LedgerEntryView>, string>;
  balanceAt: DataLoader<BalanceAtKey, BalanceView | null, string>;
}>;

const byId = <T extends { id: string }>(ids: readonly string[], rows: readonly T[]): (T | null)[] => {
  const found = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => found.get(id) ?? null);
};

const groupBy = <T>(ids: readonly string[], rows: readonly T[], keyOf: (row: T) => string): T[][] => {
  const groups = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return ids.map((id) => groups.get(id) ?? []);
};

async function transfersOf(read: ReadStore, keys: readonly TransfersKey[]): Promise<TransferView[][]> {
  // One store call per distinct status filter (at most six), each over every wallet asked for.
  const byStatus = new Map<TransferStatus | undefined, string[]>();
  for (const key of keys) byStatus.set(key.status, [...(byStatus.get(key.status) ?? []), key.walletId]);
  const results = new Map<TransferStatus | undefined, TransferView[]>();
  await Promise.all(
    [...byStatus].map(async ([status, walletIds]) => results.set(status, await read.transfersOfWallets(walletIds, status))),
  );
  return keys.map((key) =>
    (results.get(key.status) ?? []).filter((t) => t.fromWalletId === key.walletId || t.toWalletId === key.walletId),
  );
}

export function createLoaders(read: ReadStore): Loaders {
  return {
    walletById: new DataLoader(async (ids) => byId(ids, await read.walletsByIds(ids))),
    balancesByWalletId: new DataLoader(async (ids) =>
      groupBy(ids, await read.balancesByWalletIds(ids), (b) => b.walletId).map((list) =>
        list.sort((a, b) => a.asset.localeCompare(b.asset)),
      ),
    ),
    transferById: new DataLoader(async (ids) => byId(ids, await read.transfersByIds(ids))),
    transfersByWalletId: new DataLoader((keys) => transfersOf(read, keys), {
      cacheKeyFn: (key) => `${key.walletId}|${key.status ?? ''}`,
    }),
    entryById: new DataLoader(async (ids) => byId(ids, await read.ledgerEntriesByIds(ids))),
    entriesPage: new DataLoader((keys) => Promise.all(keys.map((key) => read.ledgerEntries(key))), {
      cacheKeyFn: (key) => JSON.stringify([key.walletId, key.asset ?? null, key.first, key.beforeSeq ?? null]),
    }),
    balanceAt: new DataLoader(
      (keys) => Promise.all(keys.map((key) => read.balanceAt(key.walletId, key.asset, key.at))),
      { cacheKeyFn: (key) => `${key.walletId}|${key.asset}|${key.at.toISOString()}` },
    ),
  };
}
