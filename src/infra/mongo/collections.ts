/**
 * The read-model collections and the shape of their documents. Every document a later event can
 * change carries `seq`, the last journal sequence applied to it: writes only move it forward.
 * Every document also carries `epoch`, the fencing epoch of the shard owner that last wrote it:
 * an owner never writes over a document of a higher epoch (see projection-store.ts).
 */
import type { Collection, Db, Decimal128 } from 'mongodb';
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
  entries: 'ledger_entries',
  transfers: 'transfers',
  assets: 'assets',
  checkpoints: 'checkpoints',
} as const;

export type ReadModelCollections = Readonly<{
  wallets: Collection<WalletDoc>;
  balances: Collection<BalanceDoc>;
  entries: Collection<EntryDoc>;
  transfers: Collection<TransferDoc>;
  assets: Collection<AssetDoc>;
  checkpoints: Collection<CheckpointDoc>;
}>;

/** The read-model collections whose names start with `prefix` (one generation's; see generations.ts). */
export function readModelCollectionsNamed(db: Db, prefix: string): ReadModelCollections {
  return {
    wallets: db.collection<WalletDoc>(prefix + COLLECTION_NAMES.wallets),
    balances: db.collection<BalanceDoc>(prefix + COLLECTION_NAMES.balances),
    entries: db.collection<EntryDoc>(prefix + COLLECTION_NAMES.entries),
    transfers: db.collection<TransferDoc>(prefix + COLLECTION_NAMES.transfers),
    assets: db.collection<AssetDoc>(prefix + COLLECTION_NAMES.assets),
    checkpoints: db.collection<CheckpointDoc>(prefix + COLLECTION_NAMES.checkpoints),
  };
}

export const balanceId = (walletId: string, asset: string): string => `${walletId}:${asset}`;
