/**
 * Where deposits queue up: samples the processor's backlog (commands not yet delivered plus
 * delivered but unacked) and the projector's (journal events not yet in the read models) while a
 * level runs. The stage whose backlog grows is the one that cannot keep up.
 */
import type { JetStreamManager } from 'nats';
import type { JournalTopology } from '../../src/app/sharding.js';
import { CONSUMERS, STREAMS } from '../../src/infra/nats/topology.js';
import { projectionLag, totalLag } from '../../src/infra/projection-lag.js';
import type { ProjectionStore } from '../../src/ports.js';

export type Backlog = Readonly<{ processor: number; projector: number }>;

const SAMPLE_MS = 500;

/** Max backlog seen per stage until `stop` is called. */
export function sampleBacklog(jsm: JetStreamManager, projection: ProjectionStore, topology: JournalTopology): { stop(): Promise<Backlog> } {
  const max = { processor: 0, projector: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const info = await jsm.consumers.info(STREAMS.commands, CONSUMERS.processor).catch(() => null);
      if (info) max.processor = Math.max(max.processor, info.num_pending + info.num_ack_pending);
      const lag = await projectionLag(jsm, projection, topology).then(totalLag, () => 0);
      max.projector = Math.max(max.projector, lag);
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
