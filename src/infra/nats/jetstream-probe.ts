/**
 * Consumer backlog and DLQ depth, asked of the server when /metrics is scraped: a number that
 * lives in nats-server, read fresh (no timer, no stale copy), and nothing asked when nobody scrapes.
 * A value the server cannot give right now (NATS down) disappears from /metrics rather than
 * showing the last one as if it were current.
 */
import type { JetStreamManager } from 'nats';
import type { Logger } from '../../logger.js';
import type { JetStreamGauges, ScrapeProbe } from '../../metrics.js';
import { STREAMS } from './topology.js';

export type WatchedConsumer = Readonly<{ stream: string; consumer: string }>;

export function jetStreamProbe(jsm: JetStreamManager, consumers: readonly WatchedConsumer[], gauges: JetStreamGauges, log: Logger): ScrapeProbe {
  const consumerState = async (watched: WatchedConsumer): Promise<void> => {
    try {
      const info = await jsm.consumers.info(watched.stream, watched.consumer);
      gauges.pending.set(watched, info.num_pending);
      gauges.ackPending.set(watched, info.num_ack_pending);
    } catch (error) {
      gauges.pending.remove(watched);
      gauges.ackPending.remove(watched);
      log.debug({ err: error, ...watched }, 'consumer info unavailable for /metrics');
    }
  };
  const dlqDepth = async (): Promise<void> => {
    const dlq = { stream: STREAMS.dlq };
    try {
      gauges.dlq.set(dlq, (await jsm.streams.info(STREAMS.dlq)).state.messages);
    } catch (error) {
      gauges.dlq.remove(dlq);
      log.debug({ err: error }, 'DLQ stream info unavailable for /metrics');
    }
  };
  return async () => {
    await Promise.all([...consumers.map(consumerState), dlqDepth()]);
  };
}
