/**
 * Invariant 3: replaying the journal from sequence 1 yields exactly the read models in MongoDB.
 * The replay goes into a scratch database on the same server, through the real projection store,
 * and the two are compared document by document with `readModelSnapshot`.
 *
 * Running projectors keep writing while we look, so the live side is read only as a consistent
 * cut: every shard's checkpoint unchanged across the snapshot and no document carrying a sequence
 * beyond its shard's checkpoint (the store writes data before moving a checkpoint, so a batch in
 * progress shows as documents ahead of it). The replay then takes each shard's events up to that
 * shard's checkpoint: each document belongs to one shard, so that is exactly what the cut holds.
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Db, MongoClient } from 'mongodb';
import { ASSET_SHARD, type JournalTopology, allShards, shardOfEvent, walletShard } from '../../app/sharding.js';
import type { ShardId, StoredEvent } from '../../ports.js';
import { checkpointsOf, createMongoProjectionStore } from './projection-store.js';
import { replayInto } from '../../app/replay.js';
import { type CanonicalValue, type ReadModelSnapshot, readModelSnapshot } from './snapshot.js';

export type DocumentDrift = Readonly<{
  collection: keyof ReadModelSnapshot;
  id: string;
  /** missing: in the replay, not in MongoDB; unexpected: the other way round; different: both, unequal. */
  kind: 'missing' | 'unexpected' | 'different';
  /** For `different`: each differing field as `field: live → replayed`. */
  fields: string[];
}>;

export type SnapshotDiff = Readonly<{ count: number; samples: DocumentDrift[] }>;

export type ReplayCheck = Readonly<{
  /** Per shard, the journal sequence the live read models (and so the replay) reach. */
  checkpoints: ReadonlyMap<ShardId, number>;
  /** Events of the journal given that the read models have not reached yet. */
  unprojected: number;
  replayedEvents: number;
  scratchDb: string;
  diff: SnapshotDiff;
}>;

export type LiveCut = Readonly<{ checkpoints: ReadonlyMap<ShardId, number>; snapshot: ReadModelSnapshot }>;

const COLLECTIONS = ['wallets', 'balances', 'entries', 'transfers', 'assets'] as const;
const COMMAND_NOT_FOUND = 59;

type Doc = { [field: string]: CanonicalValue };

/** Every document that differs between the two snapshots; the first `limit` described. */
export function diffSnapshots(live: ReadModelSnapshot, replayed: ReadModelSnapshot, limit = 20): SnapshotDiff {
  const samples: DocumentDrift[] = [];
  let count = 0;
  const note = (drift: DocumentDrift) => {
    count++;
    if (samples.length < limit) samples.push(drift);
  };
  for (const collection of COLLECTIONS) {
    const byId = (docs: CanonicalValue[]) => new Map((docs as Doc[]).map((d) => [String(d['_id']), d]));
    const liveDocs = byId(live[collection]);
    const replayedDocs = byId(replayed[collection]);
    for (const [id, expected] of replayedDocs) {
      const actual = liveDocs.get(id);
      if (!actual) note({ collection, id, kind: 'missing', fields: [] });
      else if (!isDeepStrictEqual(actual, expected)) note({ collection, id, kind: 'different', fields: differingFields(actual, expected) });
    }
    for (const id of liveDocs.keys()) if (!replayedDocs.has(id)) note({ collection, id, kind: 'unexpected', fields: [] });
  }
  return { count, samples };
}

function differingFields(live: Doc, replayed: Doc): string[] {
  const names = [...new Set([...Object.keys(live), ...Object.keys(replayed)])].sort();
  return names
    .filter((name) => !isDeepStrictEqual(live[name], replayed[name]))
    .map((name) => `${name}: ${JSON.stringify(live[name] ?? null)} → ${JSON.stringify(replayed[name] ?? null)}`);
}

/** A snapshot of `db` that matches its shard checkpoints exactly, retried while a projector is mid-batch. */
export async function consistentSnapshot(db: Db, topology: JournalTopology, attempts = 20): Promise<LiveCut> {
  const store = await createMongoProjectionStore(db, topology);
  const shards = allShards(topology);
  let stillAhead = 0;
  for (let attempt = 1; ; attempt++) {
    const before = await checkpointsOf(store, shards);
    const snapshot = await readModelSnapshot(db, topology);
    const after = await checkpointsOf(store, shards);
    if (isDeepStrictEqual(before, after)) {
      // Documents ahead of checkpoints that do not move are no batch in progress but drift: the diff will show them.
      if (!anyAhead(snapshot, before, topology) || ++stillAhead >= 5) return { checkpoints: before, snapshot };
    } else {
      stillAhead = 0;
    }
    if (attempt >= attempts) throw new Error(`the read models kept moving during ${attempts} snapshots; stop the projectors or retry when it is quieter`);
    await new Promise((resolve) => setTimeout(resolve, 100 * Math.min(attempt, 5)));
  }
}

/** The shard a read-model document belongs to: its wallet's (a transfer's source wallet's), or the asset shard. */
function shardOfDoc(collection: (typeof COLLECTIONS)[number], doc: Doc, topology: JournalTopology): ShardId {
  const walletId = collection === 'wallets' ? doc['_id'] : collection === 'transfers' ? doc['fromWalletId'] : doc['walletId'];
  return typeof walletId === 'string' ? walletShard(walletId, topology) : ASSET_SHARD;
}

function anyAhead(snapshot: ReadModelSnapshot, checkpoints: ReadonlyMap<ShardId, number>, topology: JournalTopology): boolean {
  for (const collection of COLLECTIONS) {
    for (const doc of snapshot[collection] as Doc[]) {
      const seq = doc['seq'];
      if (typeof seq === 'number' && seq > (checkpoints.get(shardOfDoc(collection, doc, topology)) ?? 0)) return true;
    }
  }
  return false;
}

/**
 * Replays `events` (the journal from sequence 1, at least up to the live checkpoints) into a
 * fresh database named `<liveDbName>_verify_<random>` and compares it with the live read models.
 * The scratch database is dropped afterwards where the engine can.
 */
export async function checkReplay(opts: {
  client: MongoClient;
  liveDb: Db;
  topology: JournalTopology;
  events: readonly StoredEvent[];
  live?: LiveCut;
}): Promise<ReplayCheck> {
  const { client, liveDb, events, topology } = opts;
  const live = opts.live ?? (await consistentSnapshot(liveDb, topology));
  const scratchDb = `${liveDb.databaseName.slice(0, 40)}_verify_${randomBytes(4).toString('hex')}`;
  const scratch = client.db(scratchDb);
  try {
    const reachedLive = Math.max(0, ...live.checkpoints.values());
    const journalEnd = events.length === 0 ? 0 : events[events.length - 1]!.seq;
    if (journalEnd < reachedLive) throw new Error(`the journal given ends at sequence ${journalEnd}, short of the read models' checkpoints (up to ${reachedLive})`);
    const projected = (stored: StoredEvent) => stored.seq <= (live.checkpoints.get(shardOfEvent(stored.event, topology)) ?? 0);
    const replayed = events.filter(projected);
    await replayInto(await createMongoProjectionStore(scratch, topology), chunks(replayed, 500), topology);
    const diff = diffSnapshots(live.snapshot, await readModelSnapshot(scratch, topology));
    return { checkpoints: live.checkpoints, unprojected: events.length - replayed.length, replayedEvents: replayed.length, scratchDb, diff };
  } finally {
    await dropQuietly(scratch);
  }
}

async function* chunks<T>(items: readonly T[], size: number): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

async function dropQuietly(db: Db): Promise<void> {
  try {
    await db.dropDatabase();
  } catch (error) {
    // jongodb has no dropDatabase (CommandNotFound); its data lives only as long as the server.
    if ((error as { code?: unknown }).code !== COMMAND_NOT_FOUND) throw error;
  }
}
