/**
 * Invariant 3: replaying the journal from sequence 1 yields exactly the read models in MongoDB.
 * The replay goes into a scratch database on the same server, through the real read store, and
 * the two are compared document by document with `readModelSnapshot`.
 *
 * A running projector keeps writing while we look, so the live side is read only as a
 * consistent cut: the checkpoint unchanged across the snapshot and no document carrying a
 * sequence beyond it (the store writes data before moving the checkpoint, so a batch in
 * progress shows as documents ahead of it). The replay then stops at that same checkpoint.
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Db, MongoClient } from 'mongodb';
import type { StoredEvent } from '../../ports.js';
import { createMongoReadStore } from './read-store.js';
import { replayInto } from './replay.js';
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
  /** Journal sequence the live read models (and so the replay) reach. */
  checkpoint: number;
  replayedEvents: number;
  scratchDb: string;
  diff: SnapshotDiff;
}>;

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

/** A snapshot of `db` that matches its checkpoint exactly, retried while a projector is mid-batch. */
export async function consistentSnapshot(db: Db, attempts = 20): Promise<{ checkpoint: number; snapshot: ReadModelSnapshot }> {
  const store = await createMongoReadStore(db);
  let stillAhead = 0;
  for (let attempt = 1; ; attempt++) {
    const before = await store.checkpoint();
    const snapshot = await readModelSnapshot(db);
    const after = await store.checkpoint();
    if (before === after) {
      // Documents ahead of a checkpoint that does not move are no batch in progress but drift: the diff will show them.
      if (maxSeq(snapshot) <= before || ++stillAhead >= 5) return { checkpoint: before, snapshot };
    } else {
      stillAhead = 0;
    }
    if (attempt >= attempts) throw new Error(`the read models kept moving during ${attempts} snapshots; stop the projector or retry when it is quieter`);
    await new Promise((resolve) => setTimeout(resolve, 100 * Math.min(attempt, 5)));
  }
}

function maxSeq(snapshot: ReadModelSnapshot): number {
  let max = 0;
  for (const collection of COLLECTIONS) {
    for (const doc of snapshot[collection] as Doc[]) {
      const seq = doc['seq'];
      if (typeof seq === 'number' && seq > max) max = seq;
    }
  }
  return max;
}

/**
 * Replays `events` (the journal from sequence 1, at least up to the live checkpoint) into a
 * fresh database named `<liveDbName>_verify_<random>` and compares it with the live read models.
 * The scratch database is dropped afterwards where the engine can.
 */
export async function checkReplay(opts: {
  client: MongoClient;
  liveDb: Db;
  events: readonly StoredEvent[];
  live?: { checkpoint: number; snapshot: ReadModelSnapshot };
}): Promise<ReplayCheck> {
  const { client, liveDb, events } = opts;
  const live = opts.live ?? (await consistentSnapshot(liveDb));
  const scratchDb = `${liveDb.databaseName.slice(0, 40)}_verify_${randomBytes(4).toString('hex')}`;
  const scratch = client.db(scratchDb);
  try {
    const replayed = events.filter((stored) => stored.seq <= live.checkpoint);
    const reached = await replayInto(await createMongoReadStore(scratch), chunks(replayed, 500));
    if (reached !== live.checkpoint) {
      throw new Error(`the journal given ends at sequence ${reached}, short of the read models' checkpoint ${live.checkpoint}`);
    }
    const diff = diffSnapshots(live.snapshot, await readModelSnapshot(scratch));
    return { checkpoint: live.checkpoint, replayedEvents: replayed.length, scratchDb, diff };
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
