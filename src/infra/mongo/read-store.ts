/**
 * The read models in MongoDB as the API reads them. Only the projector writes them
 * (projection-store.ts); the checkpoints live beside the data and move only after it is written.
 * Every call reads the active generation (generations.ts). Which one that is, is cached: the
 * rebuild announces its switch (`generationChanged`, wired to a NATS message in roles.ts) before
 * any projector writes the new generation, and the pointer is read again anyway once the cached
 * answer is older than `pointerMaxAgeMs`, should an announcement be missed. Until then reads come
 * from the old generation, which was complete up to the switch.
 */
import type { Db, Filter } from 'mongodb';
import { subtractDecimal } from '../../app/decimal.js';
import type { JournalTopology } from '../../app/sharding.js';
import type { Page, ReadStore, TransferStatus, WalletStatus } from '../../ports.js';
import { assetView, balanceView, entryView, transferView, walletView } from './codec.js';
import { type ReadModelCollections, checkpointId } from './collections.js';
import type { EntryDoc, TransferDoc, WalletDoc } from './collections.js';
import { activeCollections } from './generations.js';

export { readModelSnapshot } from './snapshot.js';

/** How stale an API instance's idea of the active generation may be when a switch announcement is missed. */
export const POINTER_MAX_AGE_MS = 1_000;

export type MongoReadStore = ReadStore & {
  /** The active generation may have changed: look it up again on the next call. */
  generationChanged(): void;
};

export async function createMongoReadStore(db: Db, topology: JournalTopology, options: { pointerMaxAgeMs?: number } = {}): Promise<MongoReadStore> {
  const active = activeCollections(db, topology, options.pointerMaxAgeMs ?? POINTER_MAX_AGE_MS);
  await active.collections();

  const everyShard = async <T>(c: ReadModelCollections, query: (shard: string) => Promise<T[]>): Promise<T[]> => (await Promise.all(c.walletShards.map(query))).flat();
  const newestFirst = (a: TransferDoc, b: TransferDoc) => b.createdSeq - a.createdSeq;
  const page = <T>(items: T[], first: number): Page<T> => ({ items: items.slice(0, first), hasNextPage: items.length > first });
  // One more than asked tells whether another page exists; limit(0) would mean "no limit" to MongoDB.
  const pageLimit = (first: number) => Math.max(0, first) + 1;

  return {
    generationChanged: active.forget,

    async checkpoint(shard) {
      const c = await active.collections();
      const doc = await c.checkpoints.findOne({ _id: checkpointId(shard) });
      return doc?.seq ?? 0;
    },

    async walletsByIds(ids) {
      const c = await active.collections();
      if (ids.length === 0) return [];
      const docs = await c.wallets.find({ _id: { $in: [...ids] } }).sort({ _id: 1 }).toArray();
      return docs.map(walletView);
    },

    async listWallets({ ownerId, status, first, afterSeq }) {
      const c = await active.collections();
      const filter: Filter<WalletDoc> = {};
      if (ownerId !== undefined) filter.ownerId = ownerId;
      if (status !== undefined) filter.status = status satisfies WalletStatus;
      if (afterSeq !== undefined) filter.createdSeq = { $gt: afterSeq };
      const docs = await c.wallets.find(filter).sort({ createdSeq: 1 }).limit(pageLimit(first)).toArray();
      return page(docs.map(walletView), first);
    },

    async balancesByWalletIds(ids) {
      const c = await active.collections();
      if (ids.length === 0) return [];
      const docs = await c.balances.find({ walletId: { $in: [...ids] } }).sort({ walletId: 1, asset: 1 }).toArray();
      return docs.map(balanceView);
    },

    async balanceAt(walletId, asset, at) {
      const c = await active.collections();
      // Highest version at or before `at`; within one wallet the journal sequence orders like the version.
      const doc = await c.entries(c.shardOf(walletId)).findOne({ walletId, asset, occurredAt: { $lte: at } }, { sort: { seq: -1 } });
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
      const c = await active.collections();
      const filter: Filter<EntryDoc> = { walletId };
      if (asset !== undefined) filter.asset = asset;
      if (beforeSeq !== undefined) filter.seq = { $lt: beforeSeq };
      const docs = await c.entries(c.shardOf(walletId)).find(filter).sort({ seq: -1 }).limit(pageLimit(first)).toArray();
      return page(docs.map(entryView), first);
    },

    async ledgerEntriesByIds(ids) {
      const c = await active.collections();
      if (ids.length === 0) return [];
      // An entry id says nothing of its wallet: every shard is asked (by _id, so each answer is cheap).
      const docs = await everyShard(c, (shard) => c.entries(shard).find({ _id: { $in: [...ids] } }).toArray());
      return docs.sort((a, b) => b.seq - a.seq).map(entryView);
    },

    async transfersByIds(ids) {
      const c = await active.collections();
      if (ids.length === 0) return [];
      const docs = await everyShard(c, (shard) => c.transfers(shard).find({ _id: { $in: [...ids] } }).toArray());
      return docs.sort(newestFirst).map(transferView);
    },

    async transfersOfWallets(walletIds, status?: TransferStatus) {
      const c = await active.collections();
      if (walletIds.length === 0) return [];
      const ids = [...walletIds];
      // Outgoing transfers live in their source wallet's shard, incoming ones in any: one query a shard.
      const docs = await everyShard(c, (shard) => {
        const from = ids.filter((id) => c.shardOf(id) === shard);
        const either: Filter<TransferDoc> = from.length > 0 ? { $or: [{ fromWalletId: { $in: from } }, { toWalletId: { $in: ids } }] } : { toWalletId: { $in: ids } };
        return c.transfers(shard).find(status === undefined ? either : { ...either, status }).toArray();
      });
      return docs.sort(newestFirst).map(transferView);
    },

    async dueTransfers(now, limit) {
      const c = await active.collections();
      const due = await everyShard(c, (shard) =>
        c.transfers(shard).find({ status: 'SCHEDULED', executeAt: { $lte: now } }).sort({ executeAt: 1, createdSeq: 1 }).limit(limit).toArray(),
      );
      const byTime = (a: TransferDoc, b: TransferDoc) => (a.executeAt?.getTime() ?? 0) - (b.executeAt?.getTime() ?? 0) || a.createdSeq - b.createdSeq;
      return due.sort(byTime).slice(0, limit).map(transferView);
    },

    async assets() {
      const c = await active.collections();
      const docs = await c.assets.find().sort({ _id: 1 }).toArray();
      return docs.map(assetView);
    },
  };
}
