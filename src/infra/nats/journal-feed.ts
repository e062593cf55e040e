/**
 * A shard's events, strictly in journal order, through a JetStream ordered consumer: an ephemeral,
 * unacknowledged consumer that the client recreates from the last sequence it saw whenever a
 * message goes missing (a gap in the consumer sequence, a missed heartbeat, a reconnect). No ack
 * wait can leave a hole, and where to start is the caller's checkpoint, never server state.
 */
import { DeliverPolicy, type JetStreamClient, type JsMsg } from 'nats';
import type { FeedHandle, JournalFeed, ShardId, StoredEvent } from '../../ports.js';
import { NO_TRACING, type Tracing } from '../telemetry/tracing.js';
import { decodeJournalEvent } from './event-codec.js';
import { STREAMS, shardSubjects } from './topology.js';

/** Events handed over at most per batch; also how many the client buffers ahead. */
const MAX_BATCH = 256;

/** The consumer name projection spans carry (messaging.consumer.group.name): shards are projected under it. */
const PROJECTOR = 'projector';

/**
 * With tracing on, each batch runs in one span linked to its events' traces (their parent when
 * the whole batch belongs to one), and each event keeps its trace for the notifications it causes.
 */
export function createNatsJournalFeed(js: JetStreamClient, tracing: Tracing = NO_TRACING): JournalFeed {
  return {
    follow(shard: ShardId, afterSeq: number, handle: (batch: StoredEvent[], pending: number) => Promise<void>): FeedHandle {
      let stopping = false;
      let close: () => Promise<void> = async () => undefined;

      const done = (async () => {
        const consumer = await js.consumers.get(STREAMS.journal, {
          // One string: nats-server 2.9 takes one filter subject (and the array form hangs there).
          filterSubjects: shardSubjects(shard),
          // Always an explicit start: with nats.js 2.29 on nats-server 2.9, `deliver_policy: all` delivers nothing.
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: afterSeq + 1,
        });
        if (stopping) return;
        const messages = await consumer.consume({ max_messages: MAX_BATCH });
        close = async () => void (await messages.close());
        if (stopping) return close();

        // One batch at a time; what arrives while it runs is the next batch. Pulling pauses while a
        // full batch waits, so at most two batches' worth is ever in memory.
        let waiting: JsMsg[] = [];
        let running: Promise<void> | null = null;
        let failure: { error: unknown } | null = null;
        const runNext = (): void => {
          if (running || waiting.length === 0 || failure) return;
          const ready = waiting;
          waiting = [];
          running = (async () => {
            const pending = ready[ready.length - 1]!.info.pending;
            if (!tracing.enabled) return handle(ready.map((m) => ({ seq: m.seq, event: decodeJournalEvent(m.data) })), pending);
            const batch = ready.map((m) => ({ seq: m.seq, event: decodeJournalEvent(m.data), trace: tracing.contextOf(m.headers) }));
            const attributes = { 'jetledger.projection.shard': shard };
            await tracing.processBatch(shardSubjects(shard), PROJECTOR, batch.map((s) => s.trace), attributes, () => handle(batch, pending));
          })()
            .catch((error: unknown) => {
              failure = { error };
              void messages.close();
            })
            .finally(() => {
              running = null;
              if (!stopping) runNext();
            });
        };
        for await (const msg of messages) {
          if (failure || stopping) break;
          waiting.push(msg);
          runNext();
          while (waiting.length >= MAX_BATCH && running) await running;
        }
        while (running) await running;
        if (failure) throw (failure as { error: unknown }).error;
        if (!stopping) throw new Error(`the journal feed of shard ${shard} ended by itself`);
      })();

      return {
        done,
        async stop() {
          stopping = true;
          await close();
          await done.catch(() => undefined);
        },
      };
    },
  };
}
