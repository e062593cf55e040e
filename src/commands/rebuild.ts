/**
 * `jetledger rebuild`: the read models rebuilt from the journal into a fresh generation while the
 * live ones keep serving, then switched over at once (see app/blue-green-rebuild.ts and
 * infra/mongo/generations.ts). Running projectors are not stopped: the rebuild takes their shard
 * leases only for the short tail before the switch, and they carry on in the new generation.
 * Interrupted, it is simply run again: it resumes the generation it was building.
 */
import type { Db } from 'mongodb';
import { REBUILD_LOCK, type RebuildProgress, type RebuildResult, rebuildGeneration } from '../app/blue-green-rebuild.js';
import { allShards } from '../app/sharding.js';
import { loadConfig } from '../config.js';
import { GENERATION_SWITCHED_SUBJECT, activate, beginBuilding, clearGeneration, readPointer } from '../infra/mongo/generations.js';
import { createMongoProjectionStore } from '../infra/mongo/projection-store.js';
import type { Nats } from '../infra/nats/connection.js';
import { journalBatches, journalExtent } from '../infra/nats/journal-reader.js';
import { createNatsLeaseStore } from '../infra/nats/leases.js';
import { readTopology } from '../infra/nats/streams.js';
import { currentInstance, isCertainlyGone } from '../infra/process-identity.js';
import type { Log } from '../ports.js';
import { connectStores, count } from './connect.js';
import { progressBar } from './progress-bar.js';

export const REBUILD_HELP = 'rebuild the read models from the journal into a new generation while the live one serves, then switch over (safe with projectors running)';

/** Events per write: large, because the embedded engine pays per write command in proportion to the collection's size. */
const BATCH = 5_000;

export type RebuildOptions = Readonly<{
  nats: Nats;
  db: Db;
  onProgress?: (progress: RebuildProgress) => void;
  log?: Log;
  tailEvents?: number;
}>;

export async function rebuildReadModels(opts: RebuildOptions): Promise<RebuildResult & { generation: number }> {
  const { nats, db } = opts;
  const topology = await readTopology(nats.nc);
  const shards = allShards(topology);
  const leases = await createNatsLeaseStore(nats.nc, [...shards, REBUILD_LOCK]);
  const me = currentInstance();
  const generation = await beginBuilding(db);
  const target = await createMongoProjectionStore(db, topology, { generation });
  const result = await rebuildGeneration({
    target,
    journal: {
      end: async () => (await journalExtent(nats.jsm)).last,
      batches: (afterSeq, uptoSeq) => journalBatches(nats.js, nats.jsm, { fromSeq: afterSeq + 1, uptoSeq, batchSize: BATCH }),
    },
    topology,
    leases,
    shards,
    me,
    isGone: (holder) => isCertainlyGone(holder, me),
    // Generations before the one just left are read by nobody (readers move within a second of a switch).
    prepare: async () => {
      const { active } = await readPointer(db);
      for (let old = 0; old < active; old++) if (old !== generation) await clearGeneration(db, topology, old);
    },
    activate: async () => {
      await activate(db, generation);
      // Announced while the shard leases are still held: readers hear of it before any projector
      // writes the new generation (they also look again within a second without it).
      nats.nc.publish(GENERATION_SWITCHED_SUBJECT, JSON.stringify({ active: generation }));
      await nats.nc.flush();
    },
    onProgress: opts.onProgress,
    log: opts.log,
    tailEvents: opts.tailEvents,
  });
  return { ...result, generation };
}

export async function rebuildCommand(): Promise<number> {
  const stores = await connectStores(loadConfig(), 'rebuild');
  try {
    const before = await readPointer(stores.db);
    const bar = progressBar(process.stderr);
    const result = await rebuildReadModels({ nats: stores.nats, db: stores.db, onProgress: bar.update });
    bar.done();
    console.log(
      `rebuilt the read models of ${stores.db.databaseName} from ${count(result.events)} journal events (up to seq ${count(result.lastSeq)}) ` +
        `into generation ${result.generation}, now active (was ${before.active})`,
    );
    return 0;
  } finally {
    await stores.close();
  }
}
