/**
 * `npx tsx scripts/bench/shard-filter.ts [events] [shards]`: how should a shard's projector find
 * its events on nats-server 2.9, which allows one filter subject per consumer? Two ways:
 *
 * - subject token: the shard is a token of the subject (`evt.wallet.<shard>.<walletId>`), and each
 *   shard's ordered consumer filters `evt.wallet.<shard>.*`: the server sends only its events;
 * - skip: subjects stay `evt.wallet.<walletId>`; each shard's consumer reads every wallet event
 *   and drops the ones of other shards.
 *
 * Both read a journal of the same events, one ordered consumer per shard, all shards at once (one
 * projector holding every shard), and report events/s of useful (own-shard) events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DeliverPolicy, type JetStreamClient, connect } from 'nats';
import { startNatsServer } from '../../src/infra/nats/embedded-server.js';
import { shardOf } from '../../src/app/sharding.js';

const events = Number(process.argv[2] ?? 20_000);
const shards = Number(process.argv[3] ?? 16);
const WALLETS = 2_000;

async function readShard(js: JetStreamClient, stream: string, filter: string, keep: (subject: string) => boolean, expected: number): Promise<number> {
  const consumer = await js.consumers.get(stream, { filterSubjects: filter, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: 1 });
  const messages = await consumer.consume({ max_messages: 512 });
  let kept = 0;
  for await (const msg of messages) {
    if (keep(msg.subject)) kept++;
    if (kept === expected || msg.info.pending === 0) break;
  }
  await messages.close();
  return kept;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'jetledger-shard-bench-'));
  const server = await startNatsServer({ storeDir: dir, port: 0 });
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await nc.jetstreamManager();
    const js = nc.jetstream();
    await jsm.streams.add({ name: 'TOKEN', subjects: ['tok.wallet.*.*'] });
    await jsm.streams.add({ name: 'SKIP', subjects: ['skp.wallet.*'] });
    const wallets = Array.from({ length: WALLETS }, () => randomUUID());
    const payload = new Uint8Array(420).fill(120);
    const perShard = new Array<number>(shards).fill(0);
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < events; i++) {
      const wallet = wallets[i % WALLETS] as string;
      const shard = shardOf(wallet, shards);
      perShard[shard]! += 1;
      acks.push(js.publish(`tok.wallet.${shard}.${wallet}`, payload), js.publish(`skp.wallet.${wallet}`, payload));
      if (acks.length >= 1_000) await Promise.all(acks.splice(0));
    }
    await Promise.all(acks);

    const measure = async (name: string, run: (shard: number) => Promise<number>) => {
      const started = performance.now();
      const counts = await Promise.all(perShard.map((_, shard) => run(shard)));
      const seconds = (performance.now() - started) / 1_000;
      const total = counts.reduce((a, b) => a + b, 0);
      if (total !== events) throw new Error(`${name}: read ${total} of ${events} events`);
      console.log(`${name.padEnd(14)} ${events} events in ${shards} shards: ${seconds.toFixed(2)} s, ${Math.round(events / seconds)} events/s`);
    };
    await measure('subject token', (shard) => readShard(js, 'TOKEN', `tok.wallet.${shard}.*`, () => true, perShard[shard]!));
    await measure('skip', (shard) =>
      readShard(js, 'SKIP', 'skp.wallet.*', (subject) => shardOf(subject.slice('skp.wallet.'.length), shards) === shard, perShard[shard]!),
    );
  } finally {
    await nc.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
