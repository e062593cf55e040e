/**
 * The read models in MongoDB: written only by the projector (idempotently, see write-plan.ts),
 * read by the API. The checkpoint lives beside the data and moves only after the data is
 * written, so it never claims more than the collections hold.
 */
import { MongoServerError } from 'mongodb';
import type { AnyBulkWriteOperation, Collection, Db, Filter, OptionalUnlessRequiredId } from 'mongodb';
import { subtractDecimal } from '../../app/decimal.js';
import type { Page, ProjectionChange, ReadStore, TransferStatus, WalletStatus } from '../../ports.js';
import { assetView, balanceView, entryView, transferView, walletView } from './codec.js';
import { readModelCollections } from './collections.js';
import type { CheckpointDoc, EntryDoc, TransferDoc, WalletDoc } from './collections.js';
import { ensureReadModelIndexes } from './indexes.js';
import { planWrites } from './write-plan.js';

export { readModelSnapshot } from './snapshot.js';

const CHECKPOINT_ID = 'journal';

export async function createMongoReadStore(db: Db): Promise<ReadStore> {
  const c = readModelCollections(db);
  await ensureReadModelIndexes(c);

  const page = <T>(items: T[], first: number): Page<T> => ({ items: items.slice(0, first), hasNextPage: items.length > first });
  // One more than asked tells whether another page exists; limit(0) would mean "no limit" to MongoDB.
  const pageLimit = (first: number) => Math.max(0, first) + 1;

  return {
    async checkpoint() {
      const doc = await c.checkpoints.findOne({ _id: CHECKPOINT_ID });
      return doc?.seq ?? 0;
    },

    async apply(changes: readonly ProjectionChange[], uptoSeq: number) {
      const plan = planWrites(changes);
      await Promise.all([
        write(c.wallets, plan.wallets),
        write(c.balances, plan.balances),
        insertMissing(c.entries, plan.entries),
        write(c.transfers, plan.transfers),
        insertMissing(c.assets, plan.assets),
      ]);
      await write(c.checkpoints, [
        { updateOne: { filter: { _id: CHECKPOINT_ID }, update: { $setOnInsert: { seq: uptoSeq } }, upsert: true } },
        { updateOne: { filter: { _id: CHECKPOINT_ID, seq: { $lt: uptoSeq } }, update: { $set: { seq: uptoSeq } } } },
      ] satisfies AnyBulkWriteOperation<CheckpointDoc>[]);
    },

    async walletsByIds(ids) {
      if (ids.length === 0) return [];
      const docs = await c.wallets.find({ _id: { $in: [...ids] } }).sort({ _id: 1 }).toArray();
      return docs.map(walletView);
    },

    async listWallets({ ownerId, status, first, afterSeq }) {
      const filter: Filter<WalletDoc> = {};
      if (ownerId !== undefined) filter.ownerId = ownerId;
      if (status !== undefined) filter.status = status satisfies WalletStatus;
      if (afterSeq !== undefined) filter.createdSeq = { $gt: afterSeq };
      const docs = await c.wallets.find(filter).sort({ createdSeq: 1 }).limit(pageLimit(first)).toArray();
      return page(docs.map(walletView), first);
    },

    async balancesByWalletIds(ids) {
      if (ids.length === 0) return [];
      const docs = await c.balances.find({ walletId: { $in: [...ids] } }).sort({ walletId: 1, asset: 1 }).toArray();
      return docs.map(balanceView);
    },

    async balanceAt(walletId, asset, at) {
      // Highest version at or before `at`; within one wallet the journal sequence orders like the version.
      const doc = await c.entries.findOne({ walletId, asset, occurredAt: { $lte: at } }, { sort: { seq: -1 } });
      if (!doc) return null;
      const entry = entryView(doc);
      return {
        walletId,
        asset,
        total: entry.totalAfter,
        reserved: entry.reservedAfter,
        available: subtractDecimal(entry.totalAfter, entry.reservedAfter),
        version: entry.version,
        updatedAt: entry.occurredAt,
      };
    },

    async ledgerEntries({ walletId, asset, first, beforeSeq }) {
      const filter: Filter<EntryDoc> = { walletId };
      if (asset !== undefined) filter.asset = asset;
      if (beforeSeq !== undefined) filter.seq = { $lt: beforeSeq };
      const docs = await c.entries.find(filter).sort({ seq: -1 }).limit(pageLimit(first)).toArray();
      return page(docs.map(entryView), first);
    },

    async ledgerEntriesByIds(ids) {
      if (ids.length === 0) return [];
      const docs = await c.entries.find({ _id: { $in: [...ids] } }).sort({ seq: -1 }).toArray();
      return docs.map(entryView);
    },

    async transfersByIds(ids) {
      if (ids.length === 0) return [];
      const docs = await c.transfers.find({ _id: { $in: [...ids] } }).sort({ createdSeq: -1 }).toArray();
      return docs.map(transferView);
    },

    async transfersOfWallets(walletIds, status?: TransferStatus) {
      if (walletIds.length === 0) return [];
      const ids = [...walletIds];
      const filter: Filter<TransferDoc> = { $or: [{ fromWalletId: { $in: ids } }, { toWalletId: { $in: ids } }] };
      if (status !== undefined) filter.status = status;
      const docs = await c.transfers.find(filter).sort({ createdSeq: -1 }).toArray();
      return docs.map(transferView);
    },

    async dueTransfers(now, limit) {
      const docs = await c.transfers
        .find({ status: 'SCHEDULED', executeAt: { $lte: now } })
        .sort({ executeAt: 1, createdSeq: 1 })
        .limit(limit)
        .toArray();
      return docs.map(transferView);
    },

    async assets() {
      const docs = await c.assets.find().sort({ _id: 1 }).toArray();
      return docs.map(assetView);
    },
  };
}

const DUPLICATE_KEY = 11000;

/**
 * Insert-once documents (ledger entries, assets): look up which already exist, insert the rest.
 * Cheaper than an upsert each, and much cheaper on jongodb, whose upserts scan the collection.
 * A duplicate key can only come from a second writer racing us; the next attempt skips what it wrote.
 */
async function insertMissing<T extends { _id: string }>(collection: Collection<T>, docs: readonly T[]): Promise<void> {
  if (docs.length === 0) return;
  for (let attempt = 1; ; attempt++) {
    const found = await collection.find({ _id: { $in: docs.map((d) => d._id) } } as Filter<T>, { projection: { _id: 1 } }).toArray();
    const existing = new Set<unknown>(found.map((d) => d._id));
    const missing = docs.filter((d) => !existing.has(d._id));
    if (missing.length === 0) return;
    try {
      await collection.insertMany(missing as OptionalUnlessRequiredId<T>[], { ordered: true });
      return;
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY) || attempt >= ATTEMPTS) throw error;
    }
  }
}
const ATTEMPTS = 3;

/**
 * Ordered, so each document's insert-if-absent runs before its guarded set. The plan raises no
 * duplicate-key error by itself; one can still come from a second writer racing an upsert on
 * the same `_id`, and since every write is idempotent the cure is to run the batch again.
 */
async function write<T extends { _id: string }>(collection: Collection<T>, ops: AnyBulkWriteOperation<T>[]): Promise<void> {
  if (ops.length === 0) return;
  for (let attempt = 1; ; attempt++) {
    try {
      await collection.bulkWrite(ops, { ordered: true });
      return;
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY) || attempt >= ATTEMPTS) throw error;
    }
  }
}
