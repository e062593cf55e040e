/**
 * Bench knobs from flags or BENCH_* variables (a flag wins). The defaults keep one run well under
 * three minutes while still measuring seconds, not milliseconds, of traffic per figure.
 */
import { parseArgs } from 'node:util';

export type BenchOptions = Readonly<{
  /** Closed-loop duration of each concurrency level. */
  seconds: number;
  levels: readonly number[];
  warmupSeconds: number;
  publishCount: number;
  inFlight: number;
  latencyCount: number;
  /** Deposits per second sent, open loop, during the latency phase. */
  latencyRate: number;
  /** Journal events in the projection backlog (projected by 1, then 3 projectors). */
  projectionEvents: number;
  /** Restarts measured per wallet size in the snapshot-load phase (the median is reported). */
  snapshotRepeats: number;
}>;

const DEFAULTS: BenchOptions = {
  seconds: 5,
  levels: [1, 10, 50],
  warmupSeconds: 2,
  publishCount: 50_000,
  inFlight: 1_000,
  latencyCount: 300,
  latencyRate: 20,
  projectionEvents: 20_000,
  snapshotRepeats: 7,
};

/** `--quick` (or BENCH_QUICK=1): a smoke run of the whole bench in well under a minute of traffic. */
const QUICK: Partial<BenchOptions> = { seconds: 2, warmupSeconds: 1, publishCount: 10_000, latencyCount: 100, projectionEvents: 2_000, snapshotRepeats: 3 };

const FLAGS = {
  seconds: { type: 'string' },
  levels: { type: 'string' },
  'warmup-seconds': { type: 'string' },
  'publish-count': { type: 'string' },
  'in-flight': { type: 'string' },
  'latency-count': { type: 'string' },
  'latency-rate': { type: 'string' },
  'projection-events': { type: 'string' },
  quick: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export const USAGE = `usage: npm run bench -- [--quick] [--seconds 5] [--levels 1,10,50] [--warmup-seconds 2]
                       [--publish-count 50000] [--in-flight 1000] [--latency-count 300] [--latency-rate 20]
                       [--projection-events 20000]
each flag also reads from the environment: BENCH_SECONDS, BENCH_LEVELS, BENCH_WARMUP_SECONDS, BENCH_PUBLISH_COUNT,
BENCH_IN_FLIGHT, BENCH_LATENCY_COUNT, BENCH_LATENCY_RATE, BENCH_PROJECTION_EVENTS, BENCH_QUICK=1`;

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
const CAPS = { seconds: 60, levels: 200, warmupSeconds: 30, publishCount: 1_000_000, inFlight: 10_000, latencyCount: 5_000, latencyRate: 1_000, projectionEvents: 500_000 };

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
  return {
    seconds: num('seconds', 'seconds', 'BENCH_SECONDS', false, base.seconds),
    levels,
    warmupSeconds: num('warmupSeconds', 'warmup-seconds', 'BENCH_WARMUP_SECONDS', false, base.warmupSeconds),
    publishCount: num('publishCount', 'publish-count', 'BENCH_PUBLISH_COUNT', true, base.publishCount),
    inFlight: num('inFlight', 'in-flight', 'BENCH_IN_FLIGHT', true, base.inFlight),
    latencyCount: num('latencyCount', 'latency-count', 'BENCH_LATENCY_COUNT', true, base.latencyCount),
    latencyRate: num('latencyRate', 'latency-rate', 'BENCH_LATENCY_RATE', false, base.latencyRate),
    projectionEvents: num('projectionEvents', 'projection-events', 'BENCH_PROJECTION_EVENTS', true, base.projectionEvents),
    snapshotRepeats: base.snapshotRepeats,
  };
}
