/**
 * The two ways the projector writes MongoDB, both idempotent and both safe to run again whole
 * when a racing writer makes them fail half-way.
 */
import { MongoServerError } from 'mongodb';
import type { AnyBulkWriteOperation, Collection, Filter, OptionalUnlessRequiredId } from 'mongodb';

const DUPLICATE_KEY = 11000;
const ATTEMPTS = 3;
const isDuplicateKey = (error: unknown) => error instanceof MongoServerError && error.code === DUPLICATE_KEY;

/**
 * Insert-once documents (ledger entries, assets). Normally none exists yet: insert them all in one
 * command. Only a replay (a batch projected again after a crash) meets existing ones; then look up
 * which exist and insert the rest, which costs a lookup only then. A duplicate key there can only
 * come from a second writer racing us; the next attempt skips what it wrote.
 * `beforeWrite` runs right before each insert (the projector's fence check).
 */
export async function insertMissing<T extends { _id: string }>(collection: Collection<T>, docs: readonly T[], beforeWrite: () => void = () => undefined): Promise<void> {
  if (docs.length === 0) return;
  try {
    beforeWrite();
    await collection.insertMany(docs as OptionalUnlessRequiredId<T>[], { ordered: false });
    return;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  for (let attempt = 1; ; attempt++) {
    const found = await collection.find({ _id: { $in: docs.map((d) => d._id) } } as Filter<T>, { projection: { _id: 1 } }).toArray();
    const existing = new Set<unknown>(found.map((d) => d._id));
    const missing = docs.filter((d) => !existing.has(d._id));
    if (missing.length === 0) return;
    try {
      beforeWrite();
      await collection.insertMany(missing as OptionalUnlessRequiredId<T>[], { ordered: true });
      return;
    } catch (error) {
      if (!isDuplicateKey(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/**
 * Ordered, so each document's insert-if-absent runs before its guarded set. The plan raises no
 * duplicate-key error by itself; one can still come from a second writer racing an upsert on
 * the same `_id`, and since every write is idempotent the cure is to run the batch again.
 */
export async function bulkWriteAgain<T extends { _id: string }>(collection: Collection<T>, ops: AnyBulkWriteOperation<T>[], beforeWrite: () => void = () => undefined): Promise<void> {
  if (ops.length === 0) return;
  for (let attempt = 1; ; attempt++) {
    try {
      beforeWrite();
      await collection.bulkWrite(ops, { ordered: true });
      return;
    } catch (error) {
      if (!isDuplicateKey(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}

export { isDuplicateKey };
