/**
 * The bench's one table, from one run's figures. Every throughput shows its share of the raw
 * JetStream publish rate, the ceiling no JetLedger figure on the same server can pass, so a
 * reader sees at once how much of it each consistency level keeps.
 */
import { type SnapshotLoadRow, snapshotRows } from './snapshot-load.js';
import { cpus } from 'node:os';
import { cpuPerCommand, type LevelFigures } from './level.js';
import type { Limits } from './limits.js';
import { BENCH_AMOUNT, BENCH_ASSET, type Consistency } from './ledger-ops.js';
import type { LatencyResult } from './live-latency.js';
import type { BenchOptions } from './options.js';
import type { Written } from './png.js';
import type { ProjectionResult } from './projection.js';
import { grouped, mib, ms, ofLimit, percentile, perSecond } from './stats.js';
import { type Row, renderTable } from './table.js';

export type Shape = 'single' | 'batch' | 'hot';

export type LevelRow = LevelFigures &
  Readonly<{
    shape: Shape;
    consistency: Consistency;
    /** Ledger entries already in the read model when the level began (jongodb slows as they grow). */
    entriesBefore: number;
    /** Wallets each client deposits into (a batch spreads over several; a hot wallet is shared by all). */
    walletsPerClient: number;
  }>;

type Peak = Readonly<{ consistency: Consistency; rate: number; clients: number }>;
/** The single-deposit peak the latency rate is half of, and the other consistency's, for the record. */
export type LatencyBasis = Peak & Readonly<{ other: Peak | null }>;

export type ProcessFigures = Readonly<{
  name: string;
  pid: number | null;
  peakKiB: number | null;
  /** CPU seconds over the closed-loop levels and over the latency run. */
  levelsCpuS: number | null;
  latencyCpuS: number | null;
}>;

export type Measured = Readonly<{
  env: string;
  /** 1-minute load average when the deposit and latency phases ended. */
  loadAtEnd: number;
  engine: string;
  limits: Limits;
  levels: readonly LevelRow[];
  latency: LatencyResult;
  /** The rate asked of the latency phase and where it came from (null: given by flag). */
  latencyRate: number;
  latencyBasis: LatencyBasis | null;
  latencyEntries: number;
  /** Wall time of the latency run (sending and the wait for its last notifications). */
  latencyMs: number;
  processes: readonly ProcessFigures[];
  /** Wall time of the closed-loop levels (with their drains), over which each process's CPU is reported. */
  levelsMs: number;
  projection: ProjectionResult;
  snapshotLoads: readonly SnapshotLoadRow[];
}>;

/** Levels run QUEUED and DECIDED alternately; the table groups them: QUEUED, DECIDED, batches, PROJECTED, hot wallet. */
const tableOrder = (l: LevelRow): number => {
  const group = l.shape === 'batch' ? 2 : l.shape === 'hot' ? 4 : { QUEUED: 0, DECIDED: 1, PROJECTED: 3 }[l.consistency];
  return group * 1_000 + l.loop.clients;
};

export const levelRate = (l: LevelRow): number => perSecond(l.loop.commands, l.loop.elapsedMs);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function levelLabel(l: LevelRow, batchSize: number): string {
  switch (l.shape) {
    case 'single':
      return `deposit ${l.consistency}, ${plural(l.loop.clients, 'client')}`;
    case 'batch':
      return `submitCommands ${l.consistency}, ${l.loop.clients} x ${batchSize}`;
    case 'hot':
      return `hot wallet: deposit ${l.consistency}, ${plural(l.loop.clients, 'client')}`;
  }
}

function levelDetail(l: LevelRow, o: BenchOptions): string {
  const parts = [
    l.shape === 'batch'
      ? `${grouped(l.loop.commands)} commands in ${grouped(l.loop.requests)} requests in ${(l.loop.elapsedMs / 1000).toFixed(1)} s; latency per request; each client's batches over its own ${l.walletsPerClient} wallets`
      : `${grouped(l.loop.commands)} in ${(l.loop.elapsedMs / 1000).toFixed(1)} s`,
    `processor ${cpuPerCommand(l.processorCpuS, l.loop.commands)} CPU/cmd`,
    `max backlog processor ${l.backlog.processor}, projector ${l.backlog.projector}`,
    `drained in ${(l.drainMs / 1000).toFixed(1)} s`,
    `${grouped(l.entriesBefore)} entries before`,
  ];
  if (l.shape === 'hot') parts.splice(1, 0, 'all on one wallet, whose decisions are sequential');
  if (l.loop.errors > 0) parts.push(`${l.loop.errors} errors (first: ${l.loop.firstError})`);
  return parts.join('; ');
}

export function report(m: Measured, o: BenchOptions, chart: Written | null): string {
  const rows: Array<Row | 'rule'> = [];
  const { raw, appends } = m.limits;
  const limit = perSecond(raw.count, raw.elapsedMs);
  const appendRate = perSecond(appends.count, appends.elapsedMs);
  const rounds = (rates: readonly number[]) => `best of ${rates.length} rounds (${rates.map(grouped).join(', ')} msgs/s)`;
  rows.push([
    'raw JetStream async publish (the limit)',
    `${grouped(limit)} msgs/s`,
    '100%',
    '',
    '',
    `${grouped(raw.count)} msgs of ${raw.bytes} B + Nats-Msg-Id/Command-Type headers, ${raw.inFlight} in flight, file storage, a stream like COMMANDS; ${rounds(m.limits.rawRounds)}`,
  ]);
  rows.push([
    `expected-sequence appends, ${appends.subjects} subjects`,
    `${grouped(appendRate)} msgs/s`,
    ofLimit(appendRate, limit),
    '',
    '',
    `${grouped(appends.count)} events of ${appends.bytes} B, each naming the sequence its subject's previous append got; ` +
      `one in flight per subject, ${appends.subjects} at once; a stream like JOURNAL; ${rounds(m.limits.appendRounds)}`,
  ]);
  rows.push('rule');
  for (const l of [...m.levels].sort((a, b) => tableOrder(a) - tableOrder(b))) {
    const rate = levelRate(l);
    rows.push([
      levelLabel(l, o.batchSize),
      `${grouped(rate)} ${l.shape === 'single' ? 'deposits/s' : 'commands/s'}`,
      ofLimit(rate, limit),
      `p50 ${ms(l.loop.p50)}, p99 ${ms(l.loop.p99)}`,
      cpuPerCommand(l.apiCpuS, l.loop.commands),
      levelDetail(l, o),
    ]);
  }
  rows.push('rule');
  const lat = m.latency;
  const matched = lat.samples.length;
  const latErrors = lat.errors > 0 ? `, ${lat.errors} errors (first: ${lat.firstError})` : '';
  const triple = (samples: readonly number[]) => `p50 ${ms(percentile(samples, 50))}, p95 ${ms(percentile(samples, 95))}, p99 ${ms(percentile(samples, 99))}`;
  const peak = (p: Peak) => `${grouped(p.rate)}/s at ${plural(p.clients, 'client')}`;
  const basis = m.latencyBasis
    ? `half the best ${m.latencyBasis.consistency} rate (${peak(m.latencyBasis)}` +
      `${m.latencyBasis.other ? `; best ${m.latencyBasis.other.consistency} ${peak(m.latencyBasis.other)}` : ''})`
    : 'as asked by --latency-rate';
  const cpuShares = m.processes
    .map((p) => `${p.name.replace(/ \(.*\)$/, '')} ${p.latencyCpuS === null ? '?' : ((p.latencyCpuS * 100_000) / m.latencyMs).toFixed(0)}`)
    .join(', ');
  rows.push([
    `deposit (QUEUED) -> balanceChanged (ws), ${lat.wallets} wallets`,
    `${grouped(lat.rate)} deposits/s sent`,
    ofLimit(lat.rate, limit),
    triple(lat.samples),
    cpuPerCommand(m.processes.find((p) => p.name === 'api')?.latencyCpuS ?? null, lat.sent),
    `open loop at ${m.latencyRate.toFixed(1)}/s = ${basis}; round robin, one graphql-ws subscription per wallet; ` +
      `${matched} of ${lat.sent} matched (${lat.missing} missing${latErrors}), max ${ms(matched > 0 ? Math.max(...lat.samples) : Number.NaN)}; ` +
      `${grouped(m.latencyEntries)} entries before; CPU over the ${(m.latencyMs / 1000).toFixed(1)} s run, % of a core: ${cpuShares}`,
  ]);
  rows.push(['  of which the mutation answer', '', '', triple(lat.ackSamples), '', 'HTTP round trip of the same QUEUED deposits']);
  rows.push('rule');
  for (const run of m.projection.runs) {
    const rate = perSecond(m.projection.events, run.elapsedMs);
    rows.push([
      `projection, ${plural(run.projectors, 'projector')}`,
      `${grouped(rate)} events/s`,
      ofLimit(rate, limit),
      '',
      '',
      `${grouped(m.projection.events)}-event backlog (deposits over ${grouped(m.projection.events / 100)} wallets) into an empty database in ${(run.elapsedMs / 1000).toFixed(1)} s, ` +
        'timed from the first projector up; each its own process',
    ]);
  }
  rows.push([
    'projector SIGKILL -> read models caught up',
    `${(m.projection.recovery.elapsedMs / 1000).toFixed(2)} s`,
    '',
    '',
    '',
    `one of 3 projectors killed as ${grouped(m.projection.recovery.events)} events are appended; its shards move to the others`,
  ]);
  rows.push('rule');
  const levelsS = m.levelsMs / 1000;
  for (const p of m.processes) {
    const cpu =
      p.levelsCpuS === null
        ? ''
        : `; CPU during the closed-loop levels ${p.levelsCpuS.toFixed(1)} s of ${levelsS.toFixed(1)} s (${((p.levelsCpuS / levelsS) * 100).toFixed(0)}% of a core)`;
    rows.push([`peak RSS ${p.name}`, mib(p.peakKiB), '', '', '', p.pid === null ? 'pid not found' : `VmHWM of pid ${p.pid}${cpu}`]);
  }
  rows.push('rule');
  // Snapshot load times: three columns of their own, widened to the table's six.
  for (const [measure, result, detail] of snapshotRows(m.snapshotLoads)) rows.push([measure ?? '', result ?? '', '', '', '', detail ?? '']);

  const setup = [
    `setup: ${o.warmupSeconds} s warm-up, then ${o.seconds} s per closed-loop level (each client sends its next request when the previous one is answered), ` +
      'QUEUED and DECIDED alternating at each client count, each level followed by a wait until the processor and projector backlogs are empty; ' +
      'then the open-loop latency run; ' +
      `every deposit is ${BENCH_AMOUNT} ${BENCH_ASSET}, over HTTP keep-alive; single-deposit clients each have their own wallet; roles run under tsx (\`node --import tsx src/cli.ts\`)`,
    `1-minute load average after the deposit and latency phases: ${m.loadAtEnd.toFixed(2)} (${cpus().length} cores)`,
    'ratios are to the raw JetStream async publish; CPU/cmd is user+system CPU from /proc over the level and its drain, divided by the commands completed',
  ];
  if (m.engine === 'jongodb') {
    setup.push('note: jongodb spends time on each write in proportion to the size of its collection, and every deposit adds a ledger entry: compare runs at like entry counts');
  }
  const chartLine = chart === null ? [] : [`chart: ${chart.path}${chart.note ? ` (${chart.note})` : ''}`];
  return [
    'JetLedger bench',
    `environment: ${m.env}`,
    ...setup,
    '',
    renderTable(['measure', 'result', 'of raw publish', 'latency', 'api CPU/cmd', 'detail'], rows),
    '',
    ...chartLine,
  ].join('\n');
}
