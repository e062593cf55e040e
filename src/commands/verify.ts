/**
 * `jetledger verify [--at-rest]`: reads the whole journal, checks the invariants of
 * contract/events.md over it, replays it into a scratch database beside the read models and
 * compares the two. Exits 1 on any violation or drift.
 *
 * Safe on a running system: the read models are compared as of a consistent checkpoint, and
 * money in flight is normal while transfers run. `--at-rest` is for a quiet system (no commands
 * being processed): then nothing may be in flight and the read models must reach the journal's end.
 */
import { parseArgs } from 'node:util';
import type { Db, MongoClient } from 'mongodb';
import { type JournalAudit, auditJournal } from '../app/verify.js';
import { loadConfig } from '../config.js';
import { type ReplayCheck, checkReplay, consistentSnapshot } from '../infra/mongo/replay-check.js';
import type { Nats } from '../infra/nats/connection.js';
import { journalExtent, readJournal } from '../infra/nats/journal-reader.js';
import { readTopology } from '../infra/nats/streams.js';
import { connectStores, count } from './connect.js';

export type Verification = Readonly<{
  audit: JournalAudit;
  replay: ReplayCheck;
  /** Journal events the read models have not reached yet. */
  lag: number;
  /** Everything wrong, one line each; empty when healthy. */
  problems: string[];
}>;

export async function runVerification(opts: { nats: Nats; client: MongoClient; db: Db; atRest?: boolean }): Promise<Verification> {
  const { nats, client, db, atRest = false } = opts;
  const topology = await readTopology(nats.nc);
  // The live cut first: the journal read afterwards is sure to cover it.
  const live = await consistentSnapshot(db, topology);
  const { last } = await journalExtent(nats.jsm);
  const events = await readJournal(nats.js, nats.jsm, { uptoSeq: Math.max(last, ...live.checkpoints.values()) });
  const audit = auditJournal(events, { atRest });
  const replay = await checkReplay({ client, liveDb: db, topology, events, live });
  const lag = replay.unprojected;

  const problems = audit.violations.map((v) => `invariant ${v.invariant}: ${v.message}`);
  if (replay.diff.count > 0) {
    problems.push(
      `invariant 3: ${count(replay.diff.count)} read-model document(s) differ from a replay of the journal up to each shard's checkpoint (fields shown as MongoDB → replay)`,
    );
    for (const d of replay.diff.samples) {
      const what = d.kind === 'missing' ? 'missing from MongoDB' : d.kind === 'unexpected' ? 'in MongoDB but not in the replay' : d.fields.join('; ');
      problems.push(`  ${d.collection} ${d.id}: ${what}`);
    }
  }
  if (atRest && lag > 0) problems.push(`invariant 3: the read models are ${count(lag)} event(s) short of the journal's end`);
  return { audit, replay, lag, problems };
}

export async function verifyCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'at-rest': { type: 'boolean', default: false } } });
  const stores = await connectStores(loadConfig(), 'verify');
  try {
    const result = await runVerification({ ...stores, atRest: values['at-rest'] ?? false });
    console.log(summary(result).join('\n'));
    return result.problems.length === 0 ? 0 : 1;
  } finally {
    await stores.close();
  }
}

const SHOWN = 50;

function summary({ audit, replay, lag, problems }: Verification): string[] {
  const t = audit.transfers;
  const lines = [
    `journal: ${count(audit.events)} events up to seq ${count(audit.lastSeq)}, ${count(audit.wallets)} wallets`,
    `transfers: ${count(t.completed)} completed, ${count(t.failed)} failed, ${count(t.cancelled)} cancelled, ${count(t.scheduled)} scheduled, ${count(t.inFlight)} in flight`,
  ];
  for (const [code, a] of [...audit.assets].sort(([x], [y]) => x.localeCompare(y))) {
    lines.push(`${code}: deposits - withdrawals ${a.supply} = held by wallets ${a.held} + in flight ${a.inFlight}`);
  }
  lines.push(
    `read models: ${replay.checkpoints.size} shards${lag > 0 ? `, ${count(lag)} event(s) not projected yet` : ', up to date'}; ` +
      `replayed ${count(replay.replayedEvents)} events into ${replay.scratchDb}: ${replay.diff.count === 0 ? 'identical' : `${count(replay.diff.count)} document(s) differ`}`,
  );
  if (problems.length === 0) {
    lines.push('OK: the invariants of contract/events.md hold');
    return lines;
  }
  lines.push(`DRIFT: ${count(problems.length)} problem line(s)`, ...problems.slice(0, SHOWN));
  if (problems.length > SHOWN) lines.push(`… and ${count(problems.length - SHOWN)} more`);
  return lines;
}
