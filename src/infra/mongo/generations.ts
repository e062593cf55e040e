/**
 * Read-model generations: how `jetledger rebuild` builds fresh read models beside the live ones
 * and switches over at once (blue/green).
 *
 * Every generation is a full set of read-model collections, named by its number: generation 0 is
 * the plain names (`wallets`, …; what every deployment had before), generation n is `g<n>_wallets`,
 * and so on. One small document, the pointer, says which generation is active (what the API reads
 * and the projectors write) and which one a rebuild is building. Switching is one update of that
 * document, so every reader sees either the old generation or the new one, never a mix.
 *
 * Why a pointer and not collection renames: jongodb, the embedded engine, has no renameCollection,
 * listCollections or drop (see embedded-mongo.ts), and a rename of several collections is not
 * atomic in MongoDB either. A pointer works the same on both and makes the switch a single write.
 *
 * The same collection also holds the fencing epoch counter shared by all generations: an epoch
 * names one claim of one shard in one generation, so a projection store can tell from a fence
 * alone which generation a write belongs to (see projection-store.ts).
 */
import type { Collection, Db } from 'mongodb';
import type { JournalTopology } from '../../app/sharding.js';
import { type ReadModelCollections, readModelCollections, readModelNames } from './collections.js';
import { ensureReadModelIndexes } from './indexes.js';

export const GENERATIONS_COLLECTION = 'read_model_generations';
/** Core NATS subject a rebuild announces its switch on, so readers need not wait for their cache to expire. */
export const GENERATION_SWITCHED_SUBJECT = 'live.generation';
const POINTER = 'pointer';
const EPOCHS = 'epochs';

type PointerDoc = { _id: typeof POINTER; active: number; building: number | null; updatedAt: Date; switchedAt?: Date };
type EpochsDoc = { _id: typeof EPOCHS; value: number };
type MetaDoc = PointerDoc | EpochsDoc;

export type Pointer = Readonly<{ active: number; building: number | null }>;

const meta = (db: Db): Collection<MetaDoc> => db.collection<MetaDoc>(GENERATIONS_COLLECTION);

/** The collection names of a generation: the plain names for 0, `g<n>_<name>` after that. */
export const prefixOf = (generation: number): string => (generation === 0 ? '' : `g${generation}_`);

export const generationCollections = (db: Db, topology: JournalTopology, generation: number): ReadModelCollections =>
  readModelCollections(db, topology, prefixOf(generation));

export async function readPointer(db: Db): Promise<Pointer> {
  const doc = (await meta(db).findOne({ _id: POINTER })) as PointerDoc | null;
  return { active: doc?.active ?? 0, building: doc?.building ?? null };
}

/**
 * The generation a rebuild should build: the one an interrupted rebuild left (it resumes from its
 * checkpoints), else a new one after the active generation, recorded as being built.
 */
export async function beginBuilding(db: Db): Promise<number> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const pointer = await readPointer(db);
    if (pointer.building !== null) return pointer.building;
    const next = pointer.active + 1;
    const updated = await meta(db).updateOne({ _id: POINTER, active: pointer.active, building: null }, { $set: { building: next, updatedAt: new Date() } });
    if (updated.matchedCount === 1) return next;
    // No pointer yet (a database that never switched): create it, unless someone else just did.
    try {
      await meta(db).insertOne({ _id: POINTER, active: pointer.active, building: next, updatedAt: new Date() });
      return next;
    } catch {
      // raced: read again
    }
  }
  throw new Error('the read-model generation pointer kept changing while a rebuild tried to begin');
}

/** Makes `generation` the active one, if it is the one being built; throws otherwise (another rebuild got there first). */
export async function activate(db: Db, generation: number): Promise<void> {
  const now = new Date();
  const switched = await meta(db).updateOne({ _id: POINTER, building: generation }, { $set: { active: generation, building: null, updatedAt: now, switchedAt: now } });
  if (switched.matchedCount !== 1) throw new Error(`generation ${generation} is not the one being built any more: ${JSON.stringify(await readPointer(db))}`);
}

/** Empties a generation's collections (an old one, after a switch). Collections stay: jongodb cannot drop them. */
export async function clearGeneration(db: Db, topology: JournalTopology, generation: number): Promise<void> {
  // The checkpoints first: interrupted halfway, the generation claims nothing.
  await generationCollections(db, topology, generation).checkpoints.deleteMany({});
  const names = Object.values(readModelNames(topology, prefixOf(generation))).flat();
  await Promise.all(names.map((name) => db.collection(name).deleteMany({})));
}

/** A fencing epoch never handed out before, in any generation of this database. */
export async function nextEpoch(db: Db): Promise<number> {
  const doc = (await meta(db).findOneAndUpdate({ _id: EPOCHS }, { $inc: { value: 1 } }, { upsert: true, returnDocument: 'after' })) as EpochsDoc | null;
  if (!doc) throw new Error('the epoch counter returned nothing');
  return doc.value;
}

/** Raises the epoch counter to at least `epoch` (epochs written before the shared counter existed). */
export async function epochsAtLeast(db: Db, epoch: number): Promise<boolean> {
  const raised = await meta(db).updateOne({ _id: EPOCHS, value: { $lt: epoch } }, { $set: { value: epoch } });
  return raised.modifiedCount === 1;
}

/** A generation's collections, their indexes made the first time each generation is asked for (then remembered). */
export function indexedGenerations(db: Db, topology: JournalTopology): (generation: number) => Promise<ReadModelCollections> {
  const indexed = new Map<number, Promise<void>>();
  return async (generation) => {
    const c = generationCollections(db, topology, generation);
    let ready = indexed.get(generation);
    if (!ready) indexed.set(generation, (ready = ensureReadModelIndexes(c).catch((error: unknown) => (indexed.delete(generation), Promise.reject(error)))));
    await ready;
    return c;
  };
}

/**
 * The collections of the active generation, for readers: the pointer is read again once the
 * cached answer is older than `maxAgeMs` (0: every time), or after `forget`.
 */
export function activeCollections(
  db: Db,
  topology: JournalTopology,
  maxAgeMs: number,
): { collections(): Promise<ReadModelCollections>; generation(): Promise<number>; forget(): void } {
  let cached: { generation: number; at: number } | null = null;
  const collectionsOf = indexedGenerations(db, topology);
  const generation = async (): Promise<number> => {
    const now = performance.now();
    if (cached === null || now - cached.at >= maxAgeMs) cached = { generation: (await readPointer(db)).active, at: now };
    return cached.generation;
  };
  return {
    generation,
    forget: () => void (cached = null),
    collections: async () => collectionsOf(await generation()),
  };
}
