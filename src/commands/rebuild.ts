/**
 * `jetledger rebuild`: empties the read models and their checkpoint, then projects the journal
 * from sequence 1. Run it with the projector role stopped: a projector writing meanwhile would
 * race the clearing. When the projector starts again it resumes after the rebuilt checkpoint.
 */
import type { Db } from 'mongodb';
import { loadConfig } from '../config.js';
import { createMongoReadStore } from '../infra/mongo/read-store.js';
import { clearReadModels, replayInto } from '../infra/mongo/replay.js';
import type { Nats } from '../infra/nats/connection.js';
import { journalBatches, journalExtent } from '../infra/nats/journal-reader.js';
import { CONSUMERS, STREAMS } from '../infra/nats/topology.js';
import { connectStores, count } from './connect.js';

export const REBUILD_HELP = 'rebuild the MongoDB read models from the journal (stop the projector role first; it resumes afterwards)';

export async function rebuildReadModels(opts: { nats: Nats; db: Db; onProgress?: (done: number, total: number) => void }): Promise<{ events: number; lastSeq: number }> {
  const { nats, db, onProgress } = opts;
  await clearReadModels(db);
  const store = await createMongoReadStore(db);
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
  );
  return { events, lastSeq };
}

export async function rebuildCommand(): Promise<number> {
  const stores = await connectStores(loadConfig(), 'rebuild');
  try {
    await warnIfProjectorRuns(stores.nats);
    const progress = progressLine();
    const { events, lastSeq } = await rebuildReadModels({ nats: stores.nats, db: stores.db, onProgress: progress.update });
    progress.done();
    console.log(`rebuilt the read models of ${stores.db.databaseName} from ${count(events)} journal events (up to seq ${count(lastSeq)})`);
    return 0;
  } finally {
    await stores.close();
  }
}

/** A pull consumer with waiting requests has a live client — or had one within the last 30 s. */
async function warnIfProjectorRuns(nats: Nats): Promise<void> {
  const info = await nats.jsm.consumers.info(STREAMS.journal, CONSUMERS.projector).catch(() => null);
  if (info && info.num_waiting > 0) {
    console.error(`warning: the "${CONSUMERS.projector}" consumer has ${info.num_waiting} waiting pull request(s); if a projector is still running, stop it and run rebuild again`);
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
