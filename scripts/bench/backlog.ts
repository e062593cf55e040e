/**
 * Where commands queue up: the processor's backlog (commands not yet delivered plus delivered but
 * unacked) and the projector's (journal events not yet in the read models). Sampled while a level
 * runs, the stage whose backlog grows is the one that cannot keep up; waited out between levels,
 * so a level never inherits the previous one's queue (a QUEUED level can leave thousands).
 */
import type { JetStreamManager } from 'nats';
import type { JournalTopology } from '../../src/app/sharding.js';
import { CONSUMERS, STREAMS } from '../../src/infra/nats/topology.js';
import { type ShardLag, projectionLag } from '../../src/infra/projection-lag.js';
import type { ProjectionStore } from '../../src/ports.js';

export type Backlog = Readonly<{ processor: number; projector: number }>;

export type Pipeline = Readonly<{ jsm: JetStreamManager; projection: ProjectionStore; topology: JournalTopology }>;

const SAMPLE_MS = 500;
const DRAIN_POLL_MS = 100;

/**
 * Events behind, over all shards. A shard cannot be more behind than the sequences past its
 * checkpoint: nats-server 2.9 now and then reports an ephemeral consumer's num_pending as
 * 2^64 - 1 while the stream is being written, and one such sample must not become "the max backlog".
 */
const behind = (lags: readonly ShardLag[]): number => lags.reduce((sum, l) => sum + Math.min(l.pending, Math.max(0, l.lastSeq - l.checkpoint)), 0);

async function backlogNow({ jsm, projection, topology }: Pipeline): Promise<Backlog | null> {
  const info = await jsm.consumers.info(STREAMS.commands, CONSUMERS.processor).catch(() => null);
  const lag = await projectionLag(jsm, projection, topology).then(behind, () => null);
  if (info === null || lag === null) return null;
  return { processor: info.num_pending + info.num_ack_pending, projector: lag };
}

/** Max backlog seen per stage until `stop` is called. */
export function sampleBacklog(pipeline: Pipeline): { stop(): Promise<Backlog> } {
  const max = { processor: 0, projector: 0 };
  let running = true;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | undefined;
  const loop = (async () => {
    while (running) {
      const now = await backlogNow(pipeline);
      if (now) {
        max.processor = Math.max(max.processor, now.processor);
        max.projector = Math.max(max.projector, now.projector);
      }
      if (running) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, SAMPLE_MS);
        });
      }
    }
  })();
  return {
    async stop() {
      running = false;
      // Cut the pause short: stopping must not add half a second to whatever is timed next.
      clearTimeout(timer);
      wake?.();
      await loop;
      return { ...max };
    },
  };
}

/** Waits until both stages are empty; the ms it took. Throws after `timeoutMs`: a pipeline that never drains is a finding, not a pause. */
export async function waitDrained(pipeline: Pipeline, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const now = await backlogNow(pipeline);
    if (now && now.processor === 0 && now.projector === 0) return performance.now() - started;
    if (performance.now() - started > timeoutMs) {
      throw new Error(`the pipeline did not drain within ${timeoutMs} ms (processor ${now?.processor ?? '?'}, projector ${now?.projector ?? '?'})`);
    }
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }
}
