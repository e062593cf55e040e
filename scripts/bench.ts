/**
 * `npm run bench [-- --quick]`: one run, one table. A private nats-server and MongoDB, the
 * api, processor and projector roles as separate processes, and four measurements: the raw
 * JetStream publish limit, end-to-end deposits/s, deposit-to-notification latency, and each
 * process's peak memory. Progress goes to stderr, the table to stdout. Loopback only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { connect } from 'nats';
import { signToken } from '../src/infra/auth/jwt.js';
import { type EmbeddedMongo, startEmbeddedMongo } from '../src/infra/mongo/embedded-mongo.js';
import { type EmbeddedNats, startNatsServer } from '../src/infra/nats/embedded-server.js';
import { readTopology } from '../src/infra/nats/streams.js';
import { createMongoProjectionStore } from '../src/infra/mongo/projection-store.js';
import { type Backlog, sampleBacklog } from './bench/backlog.js';
import { environmentLine } from './bench/environment.js';
import { graphqlHttp, type GraphQLHttp } from './bench/graphql-http.js';
import { BENCH_AMOUNT, BENCH_ASSET, createWallet, deposit, inBatches } from './bench/ledger-ops.js';
import { type LatencyResult, measureLiveLatency } from './bench/live-latency.js';
import { type BenchOptions, USAGE, parseOptions } from './bench/options.js';
import { childrenOf, cpuSeconds, peakRssKiB } from './bench/procfs.js';
import { type ProjectionResult, measureProjection } from './bench/projection.js';
import { type RawPublishResult, rawPublish } from './bench/raw-publish.js';
import { type RoleProcess, startRole } from './bench/roles.js';
import { grouped, mib, ms, percentile, perSecond } from './bench/stats.js';
import { type Row, renderTable } from './bench/table.js';
import { type SnapshotLoadRow, measureSnapshotLoads, snapshotRows } from './bench/snapshot-load.js';
import { type LevelResult, runLevel } from './bench/throughput.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BENCH_DB = 'jetledger_bench';
const progress = (text: string) => process.stderr.write(`[bench] ${text}\n`);

type Measured = {
  env: string;
  raw: RawPublishResult;
  engine: string;
  levels: Array<LevelResult & { backlog: Backlog; entriesBefore: number }>;
  latency: LatencyResult;
  /** Ledger entries already in the read model when the latency phase began. */
  latencyEntries: number;
  latencyRate: number;
  processes: ProcessFigures[];
  /** Wall time of the deposit levels, over which each process's CPU is reported. */
  levelsMs: number;
  projection: ProjectionResult;
  snapshotLoads: SnapshotLoadRow[];
};

type ProcessFigures = Readonly<{ name: string; pid: number | null; peakKiB: number | null; levelsCpuS: number | null }>;

/** The embedded servers announce their pid through the logger; the bench keeps it for /proc. */
function pidCatcher(into: { pid: number | null }) {
  const log = (obj: object) => {
    const pid = (obj as { pid?: unknown }).pid;
    if (typeof pid === 'number') into.pid = pid;
  };
  return { info: log, warn: () => undefined };
}

async function run(options: BenchOptions, cleanup: Array<() => Promise<void>>): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'jetledger-bench-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));

  progress('starting nats-server and MongoDB');
  const natsPid = { pid: null as number | null };
  const nats: EmbeddedNats = await startNatsServer({ storeDir: join(dir, 'nats'), port: 0, logger: pidCatcher(natsPid) });
  cleanup.push(() => nats.stop());
  const before = new Set(childrenOf(process.pid).map((c) => c.pid));
  const mongo: EmbeddedMongo = await startEmbeddedMongo({ dataDir: join(dir, 'mongo'), logger: pidCatcher({ pid: null }) });
  cleanup.push(() => mongo.stop());
  // startEmbeddedMongo does not say its pid: it is our one new child named like a mongo engine.
  const mongoPid = childrenOf(process.pid).find((c) => !before.has(c.pid) && /jongodb|mongod/.test(c.comm))?.pid ?? null;
  const env = await environmentLine(mongo);

  progress(`raw JetStream publish: ${options.publishCount} messages, ${options.inFlight} in flight`);
  const nc = await connect({ servers: nats.url, name: 'bench' });
  cleanup.push(() => nc.close());
  const raw = await rawPublish(nc, options.publishCount, options.inFlight);
  const jsm = await nc.jetstreamManager();

  progress('starting the processor, projector and api processes');
  const mongoClient = await MongoClient.connect(mongo.uri);
  cleanup.push(() => mongoClient.close());
  const secret = randomBytes(32).toString('hex');
  const roleEnv = (role: string): Record<string, string> => ({
    NATS_URL: nats.url,
    MONGODB_URI: mongo.uri,
    MONGODB_DB: BENCH_DB,
    JWT_SECRET: secret,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: join(dir, role),
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
    // One bench user sends hundreds of mutations a second: the per-user limit would be the measure.
    MUTATION_RATE_LIMIT: '0',
  });
  const roles: RoleProcess[] = [];
  const stopRoles = async () => {
    // The api first, so no request is left waiting on a role that is already gone.
    for (const r of [...roles].reverse()) await r.stop();
  };
  cleanup.push(stopRoles);
  // The processor registers the asset catalog and the streams before anyone else needs them.
  roles.push(await startRole('processor', REPO, roleEnv('processor')));
  roles.push(...(await Promise.all([startRole('projector', REPO, roleEnv('projector')), startRole('api', REPO, roleEnv('api'))])));
  const api = roles.find((r) => r.role === 'api');
  if (!api?.url) throw new Error('the api role did not say its URL');

  const token = await signToken({ secret, sub: 'bench', admin: false, ttl: '1h' });
  const client: GraphQLHttp = graphqlHttp(api.url, token);
  cleanup.push(async () => client.close());

  const maxClients = Math.max(...options.levels);
  progress(`creating ${maxClients + 1} wallets`);
  const wallets = await inBatches(
    Array.from({ length: maxClients + 1 }, (_, i) => i),
    10,
    (i) => createWallet(client, `bench-${i}`),
  );
  const latencyWallet = wallets.pop() as string;

  const warmClients = Math.min(10, maxClients);
  progress(`warm-up: ${warmClients} clients for ${options.warmupSeconds} s`);
  const warmup = await runLevel(client, wallets, warmClients, options.warmupSeconds);
  // Every accepted deposit adds a ledger entry; the read model's size is part of each figure's conditions.
  let entries = warmup.completed;

  // Latency first, on a quiet system: it is meant to show the pipeline's own delay, not a queue.
  progress(`latency: ${options.latencyCount} deposits (QUEUED) at ${options.latencyRate}/s to balanceChanged`);
  // A first deposit gives the wallet a balance, so the subscription has a starting version to count from.
  await deposit(client, latencyWallet, 'PROJECTED');
  entries += 1;
  const latencyEntries = entries;
  const latency = await measureLiveLatency(client, api.url, token, latencyWallet, options.latencyCount, options.latencyRate);
  entries += latency.sent - latency.errors;

  const watched: Array<readonly [string, number | null]> = [
    ...roles.map((r) => [r.role, r.pid] as const),
    ['nats-server', natsPid.pid] as const,
    [mongo.engine, mongoPid] as const,
    ['bench (load generator)', process.pid] as const,
  ];
  const cpuNow = () => watched.map(([, pid]) => (pid === null ? null : cpuSeconds(pid)));
  const cpuBefore = cpuNow();
  const levelsStarted = performance.now();
  const levels: Measured['levels'] = [];
  for (const clients of options.levels) {
    progress(`deposits (PROJECTED): ${clients} client(s) for ${options.seconds} s`);
    const topology = await readTopology(nc);
    const sampler = sampleBacklog(jsm, await createMongoProjectionStore(mongoClient.db(BENCH_DB), topology), topology);
    const result = await runLevel(client, wallets, clients, options.seconds);
    levels.push({ ...result, backlog: await sampler.stop(), entriesBefore: entries });
    entries += result.completed;
  }
  const levelsMs = performance.now() - levelsStarted;
  const cpuAfter = cpuNow();

  // VmHWM is the peak over each process's life: sampled now, before anything is stopped.
  const processes = watched.map(([name, pid], i): ProcessFigures => {
    const before = cpuBefore[i];
    const after = cpuAfter[i];
    return {
      name,
      pid,
      peakKiB: pid === null ? null : peakRssKiB(pid),
      levelsCpuS: before === null || before === undefined || after === null || after === undefined ? null : after - before,
    };
  });
  // Last, on its own nats-server, with the deposit roles stopped: only the projectors compete for the machine.
  await stopRoles();
  const projection = await measureProjection({ repo: REPO, dir, mongoUri: mongo.uri, events: options.projectionEvents, progress });
  progress('snapshot loads, on a nats-server of their own');
  const snapshotLoads = await measureSnapshotLoads({ repeats: options.snapshotRepeats, progress });
  return { env, engine: mongo.engine, raw, levels, latency, latencyEntries, latencyRate: options.latencyRate, processes, levelsMs, projection, snapshotLoads };
}

function report(m: Measured, options: BenchOptions): string {
  const rows: Array<Row | 'rule'> = [];
  const rawRate = perSecond(m.raw.count, m.raw.elapsedMs);
  rows.push([
    'raw JetStream async publish (the limit)',
    `${grouped(rawRate)} msgs/s`,
    `${grouped(m.raw.count)} msgs of ${m.raw.bytes} B + Nats-Msg-Id/Command-Type headers, ${m.raw.inFlight} in flight, file storage, like COMMANDS`,
  ]);
  rows.push('rule');
  const lat = m.latency;
  const latErrors = lat.errors > 0 ? `, ${lat.errors} errors (first: ${lat.firstError})` : '';
  const triple = (samples: readonly number[]) =>
    `p50 ${ms(percentile(samples, 50))} / p95 ${ms(percentile(samples, 95))} / p99 ${ms(percentile(samples, 99))}`;
  rows.push([
    'deposit (QUEUED) -> balanceChanged (ws)',
    triple(lat.samples),
    `${lat.samples.length} of ${lat.sent} matched (${lat.missing} missing${latErrors}), one wallet, sent at ${lat.rate.toFixed(1)}/s ` +
      `(asked ${m.latencyRate}/s), max ${ms(Math.max(...lat.samples))}; ${grouped(m.latencyEntries)} entries before`,
  ]);
  rows.push(['  of which the mutation answer', triple(lat.ackSamples), 'HTTP round trip of the same QUEUED deposits']);
  rows.push('rule');
  for (const l of m.levels) {
    const rate = perSecond(l.completed, l.elapsedMs);
    const errors = l.errors > 0 ? `, ${l.errors} errors (first: ${l.firstError})` : '';
    rows.push([
      `deposit -> PROJECTED, ${l.clients} client${l.clients === 1 ? '' : 's'}`,
      `${grouped(rate)} deposits/s`,
      `${grouped(l.completed)} in ${(l.elapsedMs / 1000).toFixed(1)} s, p50 ${ms(l.p50)}, p99 ${ms(l.p99)}, ${((rate / rawRate) * 100).toFixed(2)}% of the limit; ` +
        `max backlog processor ${l.backlog.processor}, projector ${l.backlog.projector}; ${grouped(l.entriesBefore)} entries before${errors}`,
    ]);
  }
  rows.push('rule');
  for (const run of m.projection.runs) {
    rows.push([
      `projection, ${run.projectors} projector${run.projectors === 1 ? '' : 's'}`,
      `${grouped(perSecond(m.projection.events, run.elapsedMs))} events/s`,
      `${grouped(m.projection.events)}-event backlog (deposits over ${grouped(m.projection.events / 100)} wallets) into an empty database in ${(run.elapsedMs / 1000).toFixed(1)} s, ` +
        'timed from the first projector up; each its own process',
    ]);
  }
  rows.push([
    'projector SIGKILL -> read models caught up',
    `${(m.projection.recovery.elapsedMs / 1000).toFixed(2)} s`,
    `one of 3 projectors killed as ${grouped(m.projection.recovery.events)} events are appended; its shards move to the others`,
  ]);
  rows.push('rule');
  const levelsS = m.levelsMs / 1000;
  for (const p of m.processes) {
    const cpu =
      p.levelsCpuS === null
        ? ''
        : `; CPU during the deposit levels ${p.levelsCpuS.toFixed(1)} s of ${levelsS.toFixed(1)} s (${((p.levelsCpuS / levelsS) * 100).toFixed(0)}% of a core)`;
    rows.push([`peak RSS ${p.name}`, mib(p.peakKiB), p.pid === null ? 'pid not found' : `VmHWM of pid ${p.pid}${cpu}`]);
  }
  rows.push('rule');
  rows.push(...snapshotRows(m.snapshotLoads));
  const setup = [
    `setup: ${options.warmupSeconds} s warm-up, then the latency run, then ${options.seconds} s per level; each client deposits ${BENCH_AMOUNT} ${BENCH_ASSET} ` +
      'into its own wallet, one request at a time, over HTTP keep-alive; roles run under tsx (`node --import tsx src/cli.ts`)',
  ];
  if (m.engine === 'jongodb') {
    setup.push('note: jongodb spends time on each write in proportion to the size of its collection, and every deposit adds a ledger entry: compare runs at like entry counts');
  }
  return ['JetLedger bench', `environment: ${m.env}`, ...setup, '', renderTable(['measure', 'result', 'detail'], rows)].join('\n');
}

/** Start-up allowance plus each phase's own length, with the raw publish at a pessimistic 2,000 msgs/s. */
const budgetSeconds = (o: BenchOptions): number =>
  Math.ceil(240 + o.warmupSeconds + o.latencyCount / o.latencyRate + o.levels.length * o.seconds + o.publishCount / 2_000 + o.projectionEvents / 200);

async function main(): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }

  const cleanup: Array<() => Promise<void>> = [];
  const tidy = async () => {
    for (const step of cleanup.reverse()) await step().catch((error) => progress(`cleanup: ${(error as Error).message}`));
    cleanup.length = 0;
  };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    progress('interrupted: stopping everything');
    void tidy().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  // A hang anywhere (a role that never answers, a lost notification) must still end the run, tidily.
  const budgetS = budgetSeconds(options);
  const watchdog = setTimeout(() => {
    progress(`no result within ${budgetS} s: giving up`);
    void tidy().then(() => process.exit(1));
  }, budgetS * 1000);
  watchdog.unref();

  const started = performance.now();
  try {
    const measured = await run(options, cleanup);
    progress('stopping');
    await tidy();
    console.log(report(measured, options));
    progress(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (error) {
    progress(`failed: ${(error as Error).stack ?? String(error)}`);
    await tidy();
    return 1;
  }
}

main().then((code) => process.exit(code));
