/**
 * Projection throughput and recovery, on a private nats-server whose journal is written directly
 * (valid events, every shard), so only the projectors are measured:
 * - a backlog of N events into an empty database, with 1 and with 3 projector processes;
 * - with 3 projectors caught up, one is SIGKILLed as 2,000 more events arrive: the time until the
 *   read models show them all (its shards move to the survivors).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { type JetStreamClient, connect, headers } from 'nats';
import { allShards, type JournalTopology } from '../../src/app/sharding.js';
import type { EventEnvelope } from '../../src/domain/events.js';
import { createMongoProjectionStore } from '../../src/infra/mongo/projection-store.js';
import { startNatsServer } from '../../src/infra/nats/embedded-server.js';
import { encodeJson } from '../../src/infra/nats/json.js';
import { shardProgress } from '../../src/infra/nats/shard-progress.js';
import { ensureStreams } from '../../src/infra/nats/streams.js';
import { journalSubject } from '../../src/infra/nats/topology.js';
import type { ShardId } from '../../src/ports.js';
import { type RoleProcess, startRole } from './roles.js';

export type ProjectionResult = Readonly<{
  events: number;
  runs: ReadonlyArray<{ projectors: number; elapsedMs: number }>;
  recovery: { events: number; elapsedMs: number };
}>;

const EVENTS_PER_WALLET = 100;
const RECOVERY_EVENTS = 2_000;

/** Writes the journal of `wallets` wallets, each created then credited; returns its wallets and their versions. */
async function writeJournal(js: JetStreamClient, topology: JournalTopology, wallets: Map<string, number>, perWallet: number): Promise<void> {
  const acks: Promise<unknown>[] = [];
  const at = new Date().toISOString();
  for (let round = 0; round < perWallet; round++) {
    for (const [walletId, version] of wallets) {
      const next = version + 1;
      wallets.set(walletId, next);
      const event: EventEnvelope = {
        id: randomUUID(),
        ...(next === 1
          ? { type: 'WalletCreated', data: { ownerId: 'bench', name: walletId } }
          : { type: 'FundsDeposited', data: { asset: 'USD', amount: '1', network: 'fiat', totalAfter: String(next - 1), reservedAfter: '0' } }),
        walletId,
        version: next,
        occurredAt: at,
        commandId: randomUUID(),
        correlationId: 'bench',
        actor: 'bench',
      } as EventEnvelope;
      const h = headers();
      h.set('Event-Type', event.type);
      acks.push(js.publish(journalSubject({ kind: 'wallet', id: walletId }, topology), encodeJson(event), { headers: h, msgID: event.id }));
      if (acks.length >= 500) await Promise.all(acks.splice(0));
    }
  }
  await Promise.all(acks);
}

export async function measureProjection(opts: { repo: string; dir: string; mongoUri: string; events: number; progress(text: string): void }): Promise<ProjectionResult> {
  const server = await startNatsServer({ storeDir: join(opts.dir, 'projection-nats'), port: 0 });
  const nc = await connect({ servers: server.url, name: 'bench-projection' });
  const mongo = await MongoClient.connect(opts.mongoUri);
  const started: RoleProcess[] = [];
  try {
    const jsm = await nc.jetstreamManager();
    const topology = await ensureStreams(nc, jsm, { leaseTtlMs: 2_000 });
    const shards = allShards(topology);
    const wallets = new Map(Array.from({ length: Math.max(1, Math.round(opts.events / EVENTS_PER_WALLET)) }, () => [randomUUID(), 0] as const));
    opts.progress(`projection: writing a journal of ${opts.events} events`);
    await writeJournal(nc.jetstream(), topology, wallets, EVENTS_PER_WALLET);

    const lastSeqs = async (): Promise<Map<ShardId, number>> => new Map(await Promise.all(shards.map(async (s) => [s, (await shardProgress(jsm, s, 0)).lastSeq] as const)));
    const caughtUp = async (db: string, targets: Map<ShardId, number>) => {
      const checkpoints = new Map((await (await createMongoProjectionStore(mongo.db(db), topology)).checkpoints()).map((c) => [c.shard, c.seq]));
      return [...targets].every(([shard, last]) => (checkpoints.get(shard) ?? 0) >= last);
    };
    const until = async (condition: () => Promise<boolean>, what: string) => {
      const deadline = Date.now() + 600_000;
      while (!(await condition())) {
        if (Date.now() > deadline) throw new Error(`projection bench: ${what} took over 10 minutes`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const env = (db: string) => ({ NATS_URL: server.url, MONGODB_URI: opts.mongoUri, MONGODB_DB: db, LOG_LEVEL: 'info', PROJECTION_LEASE_TTL_MS: '2000', DATA_DIR: join(opts.dir, db) });

    const runs: Array<{ projectors: number; elapsedMs: number }> = [];
    let targets = await lastSeqs();
    let current: RoleProcess[] = [];
    for (const count of [1, 3]) {
      const db = `projection_bench_${count}`;
      opts.progress(`projection: ${count} projector(s) through the backlog into an empty database`);
      // Timed from the first projector up (its start-up is node and tsx, not projection).
      let t0 = Infinity;
      current = await Promise.all(
        Array.from({ length: count }, async () => {
          const role = await startRole('projector', opts.repo, env(db));
          t0 = Math.min(t0, performance.now());
          return role;
        }),
      );
      started.push(...current);
      await until(() => caughtUp(db, targets), `${count} projector(s) catching up`);
      runs.push({ projectors: count, elapsedMs: performance.now() - t0 });
      if (count === 1) for (const p of current) await p.stop();
    }

    opts.progress(`projection: SIGKILL one of 3 projectors as ${RECOVERY_EVENTS} events arrive`);
    const db = 'projection_bench_3';
    const victim = current[0] as RoleProcess;
    const t0 = performance.now();
    await victim.kill();
    await writeJournal(nc.jetstream(), topology, wallets, Math.ceil(RECOVERY_EVENTS / wallets.size));
    targets = await lastSeqs();
    await until(() => caughtUp(db, targets), 'the survivors catching up');
    return { events: opts.events, runs, recovery: { events: Math.ceil(RECOVERY_EVENTS / wallets.size) * wallets.size, elapsedMs: performance.now() - t0 } };
  } finally {
    for (const p of started) await p.stop().catch(() => undefined);
    await mongo.close();
    await nc.close();
    await server.stop();
  }
}
