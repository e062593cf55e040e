/**
 * Where deposits queue up: samples each JetLedger consumer's backlog (messages not yet
 * delivered plus delivered but unacked) while a level runs. The stage whose backlog grows is the
 * one that cannot keep up.
 */
import type { JetStreamManager } from 'nats';
import { CONSUMERS, STREAMS } from '../../src/infra/nats/topology.js';

const WATCHED = [
  ['processor', STREAMS.commands, CONSUMERS.processor],
  ['projector', STREAMS.journal, CONSUMERS.projector],
] as const;

export type Backlog = Readonly<Record<(typeof WATCHED)[number][0], number>>;

const SAMPLE_MS = 200;

/** Max backlog seen per consumer until `stop` is called. */
export function sampleBacklog(jsm: JetStreamManager): { stop(): Promise<Backlog> } {
  const max = { processor: 0, projector: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const [name, stream, durable] of WATCHED) {
        const info = await jsm.consumers.info(stream, durable).catch(() => null);
        if (info) max[name] = Math.max(max[name], info.num_pending + info.num_ack_pending);
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { ...max };
    },
  };
}
