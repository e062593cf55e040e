/**
 * `npm run bench [-- --quick]`: one run, one table. A private nats-server and MongoDB, the api,
 * processor and projector roles as separate processes, and in order: the JetStream limits (raw
 * publish, expected-sequence appends), closed-loop deposits at each consistency (QUEUED, DECIDED
 * at 1/10/50 clients, submitCommands batches, PROJECTED, one hot wallet), the open-loop latency to
 * `balanceChanged` at half the peak, projection alone, and each process's peak memory and CPU.
 * Progress goes to stderr, the table to stdout, a latency-against-load chart to a PNG. Loopback only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { connect } from 'nats';
import { signToken } from '../src/infra/auth/jwt.js';
import { type EmbeddedMongo, startEmbeddedMongo } from '../src/infra/mongo/embedded-mongo.js';
import { type EmbeddedNats, startNatsServer } from '../src/infra/nats/embedded-server.js';
import { readTopology } from '../src/infra/nats/streams.js';
import { createMongoProjectionStore } from '../src/infra/mongo/projection-store.js';
import { type Pipeline, waitDrained } from './bench/backlog.js';
import { CHART_SIZE, type ChartSeries, latencyChartSvg } from './bench/chart-svg.js';
import { environmentLine } from './bench/environment.js';
import { graphqlHttp, type GraphQLHttp } from './bench/graphql-http.js';
import { type Consistency, createWallet, deposit, inBatches } from './bench/ledger-ops.js';
import { measureLevel } from './bench/level.js';
import { measureLimits } from './bench/limits.js';
import { measureLiveLatency } from './bench/live-latency.js';
import { type BenchOptions, USAGE, parseOptions } from './bench/options.js';
import { type Written, writeSvgAsPng } from './bench/png.js';
import { childrenOf, cpuMeter, peakRssKiB } from './bench/procfs.js';
import { measureProjection } from './bench/projection.js';
import { measureSnapshotLoads } from './bench/snapshot-load.js';
import { type LatencyBasis, type LevelRow, type Measured, type ProcessFigures, levelRate, report } from './bench/report.js';
import { type RoleProcess, startRole } from './bench/roles.js';
import { batchDeposits, closedLoop, hotWalletDeposits, singleDeposits } from './bench/throughput.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BENCH_DB = 'jetledger_bench';
const progress = (text: string) => process.stderr.write(`[bench] ${text}\n`);

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

  // The limits first, before any role runs: the server has the machine to itself.
  const nc = await connect({ servers: nats.url, name: 'bench' });
  cleanup.push(() => nc.close());
  const limits = await measureLimits(nc, options, progress);
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
    roles.length = 0;
  };
  cleanup.push(stopRoles);
  // The processor registers the asset catalog and the streams before anyone else needs them.
  roles.push(await startRole('processor', REPO, roleEnv('processor')));
  roles.push(...(await Promise.all([startRole('projector', REPO, roleEnv('projector')), startRole('api', REPO, roleEnv('api'))])));
  const api = roles.find((r) => r.role === 'api');
  const processor = roles.find((r) => r.role === 'processor');
  if (!api?.url) throw new Error('the api role did not say its URL');
  if (!processor) throw new Error('no processor role');

  const token = await signToken({ secret, sub: 'bench', admin: false, ttl: '1h' });
  const client: GraphQLHttp = graphqlHttp(api.url, token);
  cleanup.push(async () => client.close());
  const topology = await readTopology(nc);
  const pipeline: Pipeline = { jsm, projection: await createMongoProjectionStore(mongoClient.db(BENCH_DB), topology), topology };

  const walletCount = Math.max(...options.levels, options.projectedClients, options.batchClients, options.latencyWallets);
  progress(`creating ${walletCount + 1} wallets`);
  const wallets = await inBatches(
    Array.from({ length: walletCount + 1 }, (_, i) => i),
    10,
    (i) => createWallet(client, `bench-${i}`),
  );
  const hotWallet = wallets.pop() as string;

  // At the top client count: the api's hot paths are compiled and its pools grown before any figure.
  const warmClients = Math.max(...options.levels);
  progress(`warm-up: ${warmClients} clients (DECIDED) for ${options.warmupSeconds} s`);
  const warmup = await singleDeposits(client, wallets, warmClients, options.warmupSeconds, 'DECIDED');
  await waitDrained(pipeline, 60_000);
  // Every accepted deposit adds a ledger entry; the read model's size is part of each figure's conditions.
  let entries = warmup.commands;

  const watched: Array<readonly [string, number | null]> = [
    ...roles.map((r) => [r.role, r.pid] as const),
    ['nats-server', natsPid.pid] as const,
    [mongo.engine, mongoPid] as const,
    ['bench (load generator)', process.pid] as const,
  ];
  const processCpu = cpuMeter(watched.map(([, pid]) => pid));
  const levelsStarted = performance.now();
  const levels: LevelRow[] = [];
  const level = async (shape: LevelRow['shape'], consistency: Consistency, clients: number, walletsPerClient: number, load: () => ReturnType<typeof closedLoop>) => {
    progress(`${shape} deposits (${consistency}): ${clients} client(s) for ${options.seconds} s`);
    const figures = await measureLevel(pipeline, { api: api.pid, processor: processor.pid }, load);
    levels.push({ ...figures, shape, consistency, entriesBefore: entries, walletsPerClient });
    entries += figures.loop.commands;
  };
  // QUEUED and DECIDED alternate at each client count, so neither gets all the early (least warm)
  // or all the late (largest read model) minutes, nor a whole burst of other people's load.
  for (const clients of options.levels) {
    for (const consistency of ['QUEUED', 'DECIDED'] as const) {
      await level('single', consistency, clients, 1, () => singleDeposits(client, wallets, clients, options.seconds, consistency));
    }
  }
  const { batchClients, batchSize } = options;
  await level('batch', 'DECIDED', batchClients, Math.floor(wallets.length / batchClients), () =>
    batchDeposits(client, wallets, batchClients, batchSize, options.seconds, 'DECIDED'),
  );
  await level('single', 'PROJECTED', options.projectedClients, 1, () => singleDeposits(client, wallets, options.projectedClients, options.seconds, 'PROJECTED'));
  await level('hot', 'DECIDED', options.hotClients, 1, () => hotWalletDeposits(client, hotWallet, options.hotClients, options.seconds, 'DECIDED'));
  const levelsMs = performance.now() - levelsStarted;
  const levelsCpu = processCpu.stop();

  const latencyBasis = options.latencyRate === null ? latencyPeak(levels) : null;
  const latencyRate = options.latencyRate ?? Math.max(1, (latencyBasis?.rate ?? 2) / 2);
  const latencyWallets = wallets.slice(0, options.latencyWallets);
  // A first deposit gives each wallet a balance, so its subscription has a starting version to count from.
  await inBatches(latencyWallets, 10, (w) => deposit(client, w, 'PROJECTED'));
  entries += latencyWallets.length;
  await waitDrained(pipeline, 60_000);
  progress(`latency: ${options.latencySeconds} s of deposits (QUEUED) at ${latencyRate.toFixed(1)}/s over ${latencyWallets.length} wallets to balanceChanged`);
  const latencyEntries = entries;
  // Which process an open loop saturates is the finding when latencies climb: every process's CPU over the run.
  const latencyMeter = cpuMeter(watched.map(([, pid]) => pid));
  const latencyStarted = performance.now();
  const latency = await measureLiveLatency({ client, graphqlUrl: api.url, token, wallets: latencyWallets, seconds: options.latencySeconds, rate: latencyRate });
  const latencyCpu = { ms: performance.now() - latencyStarted, seconds: latencyMeter.stop() };

  // Other people's work moves the figures: the load at the end of the deposit phases says how much.
  const loadAtEnd = loadavg()[0] ?? Number.NaN;
  // VmHWM is the peak over each process's life: sampled now, before anything is stopped.
  const processes = watched.map(
    ([name, pid], i): ProcessFigures => ({ name, pid, peakKiB: pid === null ? null : peakRssKiB(pid), levelsCpuS: levelsCpu[i] ?? null, latencyCpuS: latencyCpu.seconds[i] ?? null }),
  );
  // Last, on its own nats-server, with the deposit roles stopped: only the projectors compete for the machine.
  await stopRoles();
  const projection = await measureProjection({ repo: REPO, dir, mongoUri: mongo.uri, events: options.projectionEvents, progress });
  progress('snapshot loads, on a nats-server of their own');
  const snapshotLoads = await measureSnapshotLoads({ repeats: options.snapshotRepeats, progress });
  return { env, loadAtEnd, engine: mongo.engine, limits, levels, latency, latencyRate, latencyBasis, latencyEntries, latencyMs: latencyCpu.ms, processes, levelsMs, projection, snapshotLoads };
}

/**
 * The peak the latency run takes half of: the best DECIDED single-deposit rate, since a QUEUED rate
 * above what the processor decides only fills its backlog and notifications would measure that
 * queue. But the latency run's deposits are QUEUED requests: should the best QUEUED rate have come
 * out lower (it does less work, so only outside load can do that), it is the one taken.
 */
function latencyPeak(levels: readonly LevelRow[]): LatencyBasis | null {
  const best = (consistency: Consistency) =>
    levels.filter((l) => l.shape === 'single' && l.consistency === consistency).sort((a, b) => levelRate(b) - levelRate(a))[0];
  const decided = best('DECIDED');
  const queued = best('QUEUED');
  if (!decided) return null;
  const other = queued ? { consistency: 'QUEUED' as const, rate: levelRate(queued), clients: queued.loop.clients } : null;
  const mine = { consistency: 'DECIDED' as const, rate: levelRate(decided), clients: decided.loop.clients };
  return other && other.rate < mine.rate ? { ...other, other: mine } : { ...mine, other };
}

/** p50 and p99 against achieved load, one series per consistency, from the closed-loop single-deposit levels. */
async function writeChart(m: Measured, options: BenchOptions): Promise<Written> {
  const series: ChartSeries[] = (['QUEUED', 'DECIDED', 'PROJECTED'] as const)
    .map((name) => ({
      name,
      points: m.levels
        .filter((l) => l.shape === 'single' && l.consistency === name)
        .map((l) => ({ rate: levelRate(l), p50: l.loop.p50, p99: l.loop.p99, clients: l.loop.clients })),
    }))
    .filter((s) => s.points.length > 0);
  const load = /load avg at start ([\d.]+)/.exec(m.env)?.[1] ?? '?';
  const subtitle = `single deposits, each client on its own wallet, ${options.seconds} s per level; ${m.engine}; load average ${load} at the start`;
  return writeSvgAsPng(latencyChartSvg(series, 'JetLedger: request latency against load', subtitle), CHART_SIZE, options.chart);
}

/**
 * Start-up allowance plus each phase's own length, with the JetStream limits at a pessimistic
 * 2,000 and 1,000 msgs/s and 30 s for each level's drain: a guard against hangs, not a forecast.
 */
const budgetSeconds = (o: BenchOptions): number => {
  const closedLoopLevels = 2 * o.levels.length + 3;
  return Math.ceil(
    240 + o.warmupSeconds + closedLoopLevels * (o.seconds + 30) + o.latencySeconds + 2 * (o.publishCount / 2_000 + o.appendCount / 1_000) + o.projectionEvents / 200,
  );
};

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
    // After everything stopped: Chromium gets the machine, and no figure pays for it.
    progress(`writing the latency chart to ${options.chart}`);
    const chart = await writeChart(measured, options).catch((error: unknown): Written => {
      progress(`chart: ${(error as Error).message}`);
      return { path: options.chart, format: 'png', note: `not written: ${(error as Error).message}` };
    });
    console.log(report(measured, options, chart));
    progress(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (error) {
    progress(`failed: ${(error as Error).stack ?? String(error)}`);
    await tidy();
    return 1;
  }
}

main().then((code) => process.exit(code));
