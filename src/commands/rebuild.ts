/**
 * `jetledger rebuild`: empties the read models and their checkpoints, then projects the journal
 * from sequence 1. It refuses to run while any projector holds a shard lease: a projector writing
 * meanwhile would race the clearing. Projectors started afterwards resume after the rebuilt
 * checkpoints.
 */
import type { Db } from 'mongodb';
import { allShards } from '../app/sharding.js';
import { loadConfig } from '../config.js';
import { createMongoProjectionStore } from '../infra/mongo/projection-store.js';
import { clearReadModels, replayInto } from '../infra/mongo/replay.js';
import type { Nats } from '../infra/nats/connection.js';
import { journalBatches, journalExtent } from '../infra/nats/journal-reader.js';
import { createNatsLeaseStore } from '../infra/nats/leases.js';
import { readTopology } from '../infra/nats/streams.js';
import { connectStores, count } from './connect.js';

export async function rebuildReadModels(opts: { nats: Nats; db: Db; onProgress?: (done: number, total: number) => void }): Promise<{ events: number; lastSeq: number }> {
  const { nats, db, onProgress } = opts;
  const topology = await readTopology(nats.nc);
  const holders = await (await createNatsLeaseStore(nats.nc, allShards(topology))).holders();
  if (holders.size > 0) {
    const owners = [...new Set([...holders.values()].map((h) => h.owner))].join(', ');
    throw new Error(`${holders.size} shard(s) are leased by running projectors (${owners}): stop the projector role first, then run rebuild again`);
  }
  await clearReadModels(db, topology);
  const store = await createMongoProjectionStore(db, topology);
  const { last } = await journalExtent(nats.jsm);
  let events = 0;
  const lastSeq = await replayInto(
    store,
    journalBatches(nats.js, nats.jsm, {
      uptoSeq: last,
      batchSize: 500,
      onProgress: (done, total) => {
        events = done;
        onProgress?.(done, total);
      },
    }),
    topology,
  );
  return { events, lastSeq };
}

export async function rebuildCommand(): Promise<number> {
  const stores = await connectStores(loadConfig(), 'rebuild');
  try {
    const progress = progressLine();
    const { events, lastSeq } = await rebuildReadModels({ nats: stores.nats, db: stores.db, onProgress: progress.update });
    progress.done();
    console.log(`rebuilt the read models of ${stores.db.databaseName} from ${count(events)} journal events (up to seq ${count(lastSeq)})`);
    return 0;
  } finally {
    await stores.close();
  }
}

/** One line rewritten in place on a terminal; at most one line a second otherwise (logs, CI). */
function progressLine() {
  const tty = process.stderr.isTTY === true;
  let lastPrinted = 0;
  let text = '';
  return {
    update: (done: number, total: number) => {
      text = `rebuilt ${count(done)} / ${count(total)} events`;
      if (tty) process.stderr.write(`\r${text}`);
      else if (Date.now() - lastPrinted >= 1_000 || done === total) {
        lastPrinted = Date.now();
        process.stderr.write(`${text}\n`);
      }
    },
    done: () => {
      if (tty && text) process.stderr.write('\n');
    },
  };
}
