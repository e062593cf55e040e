/**
 * One closed-loop level with what surrounds it: the backlog of each stage while it runs, the CPU
 * the api and the processor spend on it (from /proc), and the wait until the pipeline is empty
 * again. CPU is counted through that wait: a QUEUED level's commands are decided after their
 * answers, and their cost belongs to them, not to the next level.
 */
import { type Backlog, type Pipeline, sampleBacklog, waitDrained } from './backlog.js';
import { cpuMeter } from './procfs.js';
import type { LoopResult } from './throughput.js';

export type LevelFigures = Readonly<{
  loop: LoopResult;
  backlog: Backlog;
  /** From the level's last answer until both backlogs were empty. */
  drainMs: number;
  /** CPU seconds over the level and its drain, null when the pid is unknown. */
  apiCpuS: number | null;
  processorCpuS: number | null;
}>;

const DRAIN_TIMEOUT_MS = 180_000;

export async function measureLevel(pipeline: Pipeline, pids: { api: number; processor: number }, run: () => Promise<LoopResult>): Promise<LevelFigures> {
  const meter = cpuMeter([pids.api, pids.processor]);
  const sampler = sampleBacklog(pipeline);
  const loop = await run();
  const ended = performance.now();
  const backlog = await sampler.stop();
  await waitDrained(pipeline, DRAIN_TIMEOUT_MS);
  const drainMs = performance.now() - ended;
  const [apiCpuS = null, processorCpuS = null] = meter.stop();
  return { loop, backlog, drainMs, apiCpuS, processorCpuS };
}

/** CPU milliseconds per command, as text. */
export const cpuPerCommand = (cpuS: number | null, commands: number): string =>
  cpuS === null || commands === 0 ? 'n/a' : `${((cpuS * 1000) / commands).toFixed(2)} ms`;
