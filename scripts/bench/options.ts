/**
 * Bench knobs from flags or BENCH_* variables (a flag wins). The defaults keep one run to a few
 * minutes while still measuring seconds, not milliseconds, of traffic per figure.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export type BenchOptions = Readonly<{
  /** Closed-loop duration of each level (single, batch, hot wallet). */
  seconds: number;
  /** Closed-loop clients of the QUEUED and DECIDED single-deposit levels. */
  levels: readonly number[];
  warmupSeconds: number;
  publishCount: number;
  inFlight: number;
  /** Expected-sequence appends (64 subjects, one in flight each). */
  appendCount: number;
  batchClients: number;
  /** Deposits per submitCommands request. */
  batchSize: number;
  /** Clients of the PROJECTED level and of the hot-wallet level. */
  projectedClients: number;
  hotClients: number;
  /** Open-loop duration of the latency phase. */
  latencySeconds: number;
  /** Wallets the latency phase spreads over, each with its own subscription. */
  latencyWallets: number;
  /** Deposits/s of the latency phase; null: half the single-deposit peak (see latencyPeak in bench.ts). */
  latencyRate: number | null;
  /** Journal events in the projection backlog (projected by 1, then 3 projectors). */
  projectionEvents: number;
  /** Where the latency-against-load chart goes (PNG; an SVG beside it when no Chromium). */
  chart: string;
  /** Restarts measured per wallet size in the snapshot-load phase (the median is reported). */
  snapshotRepeats: number;
}>;

const DOCS_CHART = fileURLToPath(new URL('../../docs/bench-latency.png', import.meta.url));

const DEFAULTS: BenchOptions = {
  seconds: 5,
  levels: [1, 10, 50],
  warmupSeconds: 3,
  publishCount: 50_000,
  inFlight: 1_000,
  appendCount: 20_000,
  batchClients: 10,
  batchSize: 100,
  projectedClients: 50,
  hotClients: 50,
  latencySeconds: 5,
  latencyWallets: 20,
  latencyRate: null,
  projectionEvents: 20_000,
  chart: DOCS_CHART,
  snapshotRepeats: 7,
};

/**
 * `--quick` (or BENCH_QUICK=1): a smoke run of every phase in about a minute of traffic. Its chart
 * goes to the temp directory, so a smoke run never replaces the README's.
 */
const QUICK: Partial<BenchOptions> = {
  seconds: 1.5,
  warmupSeconds: 1,
  publishCount: 10_000,
  appendCount: 5_000,
  latencySeconds: 2,
  projectionEvents: 2_000,
  chart: join(tmpdir(), 'jetledger-bench-latency.png'),
  snapshotRepeats: 3,
};

const FLAGS = {
  seconds: { type: 'string' },
  levels: { type: 'string' },
  'warmup-seconds': { type: 'string' },
  'publish-count': { type: 'string' },
  'in-flight': { type: 'string' },
  'append-count': { type: 'string' },
  'batch-clients': { type: 'string' },
  'batch-size': { type: 'string' },
  'projected-clients': { type: 'string' },
  'hot-clients': { type: 'string' },
  'latency-seconds': { type: 'string' },
  'latency-wallets': { type: 'string' },
  'latency-rate': { type: 'string' },
  'projection-events': { type: 'string' },
  chart: { type: 'string' },
  quick: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export const USAGE = `usage: npm run bench -- [--quick] [--seconds 5] [--levels 1,10,50] [--warmup-seconds 3]
                       [--publish-count 50000] [--in-flight 1000] [--append-count 20000]
                       [--batch-clients 10] [--batch-size 100] [--projected-clients 50] [--hot-clients 50]
                       [--latency-seconds 5] [--latency-wallets 20] [--latency-rate <half the peak>]
                       [--projection-events 20000] [--chart docs/bench-latency.png]
each flag also reads from the environment: BENCH_SECONDS, BENCH_LEVELS, BENCH_WARMUP_SECONDS, BENCH_PUBLISH_COUNT,
BENCH_IN_FLIGHT, BENCH_APPEND_COUNT, BENCH_BATCH_CLIENTS, BENCH_BATCH_SIZE, BENCH_PROJECTED_CLIENTS, BENCH_HOT_CLIENTS,
BENCH_LATENCY_SECONDS, BENCH_LATENCY_WALLETS, BENCH_LATENCY_RATE, BENCH_PROJECTION_EVENTS, BENCH_CHART, BENCH_QUICK=1
(--quick writes its chart to the temp directory unless --chart is given)`;

export class UsageError extends Error {}

function positive(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  }
  return value;
}

/** Each bounded so a typo cannot make a run that never ends or that floods the machine. */
const CAPS = {
  seconds: 60,
  levels: 200,
  warmupSeconds: 30,
  publishCount: 1_000_000,
  inFlight: 10_000,
  appendCount: 1_000_000,
  batchClients: 100,
  // submitCommands takes at most 1,000 commands per request.
  batchSize: 1_000,
  projectedClients: 200,
  hotClients: 200,
  latencySeconds: 60,
  latencyWallets: 200,
  latencyRate: 5_000,
  projectionEvents: 500_000,
};

function capped(name: keyof typeof CAPS, value: number): number {
  if (value > CAPS[name]) throw new UsageError(`${name} must be at most ${CAPS[name]}, got ${value}`);
  return value;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true });
  if (values.help) return 'help';
  const quick = values.quick || /^(1|true|yes|on)$/i.test(env.BENCH_QUICK ?? '');
  const base = { ...DEFAULTS, ...(quick ? QUICK : {}) };
  const pick = (flag: keyof typeof values, variable: string): string | undefined => {
    const fromFlag = values[flag];
    return typeof fromFlag === 'string' ? fromFlag : env[variable];
  };
  const num = (name: keyof typeof CAPS, flag: keyof typeof values, variable: string, integer: boolean, fallback: number) =>
    capped(name, positive(variable, pick(flag, variable), integer) ?? fallback);

  const levelsText = pick('levels', 'BENCH_LEVELS');
  const levels = levelsText
    ? levelsText.split(',').map((l) => {
        const level = positive('BENCH_LEVELS', l.trim(), true);
        if (level === undefined) throw new UsageError(`BENCH_LEVELS must be a comma-separated list of client counts, got "${levelsText}"`);
        return capped('levels', level);
      })
    : base.levels;
  const latencyRate = positive('BENCH_LATENCY_RATE', pick('latency-rate', 'BENCH_LATENCY_RATE'), false);
  const chart = pick('chart', 'BENCH_CHART')?.trim();
  return {
    seconds: num('seconds', 'seconds', 'BENCH_SECONDS', false, base.seconds),
    levels,
    warmupSeconds: num('warmupSeconds', 'warmup-seconds', 'BENCH_WARMUP_SECONDS', false, base.warmupSeconds),
    publishCount: num('publishCount', 'publish-count', 'BENCH_PUBLISH_COUNT', true, base.publishCount),
    inFlight: num('inFlight', 'in-flight', 'BENCH_IN_FLIGHT', true, base.inFlight),
    appendCount: num('appendCount', 'append-count', 'BENCH_APPEND_COUNT', true, base.appendCount),
    batchClients: num('batchClients', 'batch-clients', 'BENCH_BATCH_CLIENTS', true, base.batchClients),
    batchSize: num('batchSize', 'batch-size', 'BENCH_BATCH_SIZE', true, base.batchSize),
    projectedClients: num('projectedClients', 'projected-clients', 'BENCH_PROJECTED_CLIENTS', true, base.projectedClients),
    hotClients: num('hotClients', 'hot-clients', 'BENCH_HOT_CLIENTS', true, base.hotClients),
    latencySeconds: num('latencySeconds', 'latency-seconds', 'BENCH_LATENCY_SECONDS', false, base.latencySeconds),
    latencyWallets: num('latencyWallets', 'latency-wallets', 'BENCH_LATENCY_WALLETS', true, base.latencyWallets),
    latencyRate: latencyRate === undefined ? null : capped('latencyRate', latencyRate),
    projectionEvents: num('projectionEvents', 'projection-events', 'BENCH_PROJECTION_EVENTS', true, base.projectionEvents),
    chart: chart ? chart : base.chart,
    snapshotRepeats: base.snapshotRepeats,
  };
}
