/**
 * The read-model collections and the shape of their documents. Every document a later event can
 * change carries `seq`, the last journal sequence applied to it: writes only move it forward.
 * Every document also carries `epoch`, the fencing epoch of the shard owner that last wrote it:
 * an owner never writes over a document of a higher epoch (see projection-store.ts).
 */
import type { Collection, Db, Decimal128 } from 'mongodb';
import { ASSET_SHARD, type JournalTopology, allShards, walletShard } from '../../app/sharding.js';
import type { EntryType, ShardId, TransferStatus, WalletStatus } from '../../ports.js';

export type WalletDoc = {
  _id: string;
  ownerId: string;
  name: string;
  status: WalletStatus;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  createdSeq: number;
  seq: number;
  epoch: number;
};

/** `_id` is `${walletId}:${asset}`. */
export type BalanceDoc = {
  _id: string;
  walletId: string;
  asset: string;
  total: Decimal128;
  reserved: Decimal128;
  available: Decimal128;
  version: number;
  updatedAt: Date;
  seq: number;
  epoch: number;
};

/** `_id` is the event id: an entry is written once and never changes. */
export type EntryDoc = {
  _id: string;
  walletId: string;
  asset: string;
  type: EntryType;
  amount: Decimal128;
  totalAfter: Decimal128;
  reservedAfter: Decimal128;
  transferId: string | null;
  commandId: string;
  version: number;
  occurredAt: Date;
  seq: number;
  epoch: number;
};

export type TransferDoc = {
  _id: string;
  fromWalletId: string;
  toWalletId: string;
  asset: string;
  amount: Decimal128;
  status: TransferStatus;
  executeAt: Date | null;
  createdAt: Date;
  completedAt: Date | null;
  failureReason: string | null;
  /** Journal sequence of the event that created it: "newest first" without ties. */
  createdSeq: number;
  seq: number;
  epoch: number;
};

/** `_id` is the asset code; the catalog refuses a second registration, so it is written once. */
export type AssetDoc = {
  _id: string;
  decimals: number;
  networks: string[];
  minAmount: Decimal128 | null;
  maxAmount: Decimal128 | null;
  epoch: number;
};

/**
 * One per shard (`_id` `shard:<id>`): every event of the shard up to `seq` is in the read models.
 * `epoch` is the fencing epoch of the shard's current owner, raised by every claim.
 */
export type CheckpointDoc = { _id: string; shard: ShardId; seq: number; epoch: number; updatedAt: Date };

export const checkpointId = (shard: ShardId): string => `shard:${shard}`;

export const COLLECTION_NAMES = {
  wallets: 'wallets',
  balances: 'balances',
  /** A family: one collection per wallet shard, `ledger_entries.<shard>`. */
  entries: 'ledger_entries',
  /** A family: one collection per wallet shard (the source wallet's), `transfers.<shard>`. */
  transfers: 'transfers',
  assets: 'assets',
  checkpoints: 'checkpoints',
} as const;

/**
 * The read-model collections. Those that grow with the ledger itself (a ledger entry per money
 * movement, a document per transfer) are split by wallet shard, each shard writing only its own:
 * a write costs the engine more the bigger its collection (jongodb, the embedded engine, copies a
 * collection on every write: 16x the documents, 256x the cost), and every query of them names a
 * wallet, so it goes to one shard, except the few lookups by id, which ask each shard.
 */
export type ReadModelCollections = Readonly<{
  wallets: Collection<WalletDoc>;
  balances: Collection<BalanceDoc>;
  assets: Collection<AssetDoc>;
  checkpoints: Collection<CheckpointDoc>;
  /** The ledger entries of the wallet shard `shard`. */
  entries(shard: ShardId): Collection<EntryDoc>;
  /** The transfers whose source wallet is in `shard`. */
  transfers(shard: ShardId): Collection<TransferDoc>;
  /** The shard a wallet's entries and outgoing transfers are kept in. */
  shardOf(walletId: string): ShardId;
  /** Every wallet shard: where lookups by id and by destination go. */
  walletShards: readonly ShardId[];
}>;

/** The collections of one read-model generation: their names start with `prefix` (see generations.ts). */
export function readModelCollections(db: Db, topology: JournalTopology, prefix = ''): ReadModelCollections {
  const walletShards = allShards(topology).filter((shard) => shard !== ASSET_SHARD);
  return {
    wallets: db.collection<WalletDoc>(prefix + COLLECTION_NAMES.wallets),
    balances: db.collection<BalanceDoc>(prefix + COLLECTION_NAMES.balances),
    assets: db.collection<AssetDoc>(prefix + COLLECTION_NAMES.assets),
    checkpoints: db.collection<CheckpointDoc>(prefix + COLLECTION_NAMES.checkpoints),
    entries: (shard) => db.collection<EntryDoc>(`${prefix}${COLLECTION_NAMES.entries}.${shard}`),
    transfers: (shard) => db.collection<TransferDoc>(`${prefix}${COLLECTION_NAMES.transfers}.${shard}`),
    shardOf: (walletId) => walletShard(walletId, topology),
    walletShards,
  };
}

/** Every read-model collection name of a generation (checkpoints apart): what a snapshot reads and a rebuild clears. */
export function readModelNames(topology: JournalTopology, prefix = ''): Record<'wallets' | 'balances' | 'entries' | 'transfers' | 'assets', string[]> {
  const shards = allShards(topology).filter((shard) => shard !== ASSET_SHARD);
  return {
    wallets: [prefix + COLLECTION_NAMES.wallets],
    balances: [prefix + COLLECTION_NAMES.balances],
    entries: shards.map((shard) => `${prefix}${COLLECTION_NAMES.entries}.${shard}`),
    transfers: shards.map((shard) => `${prefix}${COLLECTION_NAMES.transfers}.${shard}`),
    assets: [prefix + COLLECTION_NAMES.assets],
  };
}

export const balanceId = (walletId: string, asset: string): string => `${walletId}:${asset}`;
