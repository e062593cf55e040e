/**
 * Every read-model document in one comparable value, for "replaying the journal yields exactly
 * the read models" (tests and `verify`). Documents are sorted by `_id` and their fields by name;
 * Decimal128 becomes its canonical decimal string and dates ISO strings, so two databases built
 * by different batchings of the same journal compare equal with a plain deep equality.
 * The checkpoints are bookkeeping, not read models, and are left out; so is each document's fencing
 * `epoch`, which tells who wrote it, not what it says.
 */
import { Decimal128 } from 'mongodb';
import type { Db } from 'mongodb';
import { fromDecimal128 } from './codec.js';
import type { JournalTopology } from '../../app/sharding.js';
import { readModelNames } from './collections.js';
import { prefixOf, readPointer } from './generations.js';

export type CanonicalValue = string | number | boolean | null | CanonicalValue[] | { [field: string]: CanonicalValue };
export type ReadModelSnapshot = Readonly<Record<'wallets' | 'balances' | 'entries' | 'transfers' | 'assets', CanonicalValue[]>>;

/** Of the active generation, unless another is named. */
export async function readModelSnapshot(db: Db, topology: JournalTopology, generation?: number): Promise<ReadModelSnapshot> {
  const names = readModelNames(topology, prefixOf(generation ?? (await readPointer(db)).active));
  // A family split by shard reads as one collection: where a document is kept is not what it says.
  const dump = async (family: readonly string[]): Promise<CanonicalValue[]> => {
    const docs = (await Promise.all(family.map((name) => db.collection<{ _id: string; epoch?: number }>(name).find().toArray()))).flat();
    return docs.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)).map(({ epoch: _, ...doc }) => canonical(doc));
  };
  const [wallets, balances, entries, transfers, assets] = await Promise.all([
    dump(names.wallets),
    dump(names.balances),
    dump(names.entries),
    dump(names.transfers),
    dump(names.assets),
  ]);
  return { wallets, balances, entries, transfers, assets };
}

function canonical(value: unknown): CanonicalValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Decimal128) return fromDecimal128(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new TypeError(`unexpected value in a read-model document: ${String(value)}`);
}
