/**
 * The journal on JetStream: one subject per aggregate (a wallet's carries its projection shard),
 * appends guarded by Nats-Expected-Last-Subject-Sequence so two writers can never both extend the
 * same history.
 */
import { DeliverPolicy, type JetStreamClient, type JetStreamManager, headers } from 'nats';
import type { JournalTopology } from '../../app/sharding.js';
import type { EventEnvelope } from '../../domain/events.js';
import { type AggregateRef, ConcurrencyError, type Journal, type StoredEvent } from '../../ports.js';
import { NO_TRACING, type Tracing } from '../telemetry/tracing.js';
import { decodeJournalEvent } from './event-codec.js';
import { encodeJson } from './json.js';
import { isNotFound } from './streams.js';
import { STREAMS, journalSubject } from './topology.js';

const WRONG_LAST_SEQUENCE = 10071;

/** With tracing on, each event carries the `traceparent` of its append (contract/events.md): projection and saga join that trace. */
export function createNatsJournal(js: JetStreamClient, jsm: JetStreamManager, topology: JournalTopology, tracing: Tracing = NO_TRACING): Journal {
  async function lastSeqOf(subject: string): Promise<number> {
    try {
      const msg = await jsm.streams.getMessage(STREAMS.journal, { last_by_subj: subject });
      return msg.seq;
    } catch (error) {
      if (isNotFound(error)) return 0;
      throw error;
    }
  }

  /** Reads `subject` after `afterSeq` to its current end through a short-lived ordered consumer; the subject must not be empty. */
  async function readSubject(subject: string, afterSeq: number): Promise<StoredEvent[]> {
    const consumer = await js.consumers.get(STREAMS.journal, {
      // One string, not an array: nats-server 2.9 has no multi-filter and the array form hangs.
      filterSubjects: subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: afterSeq + 1,
    });
    const events: StoredEvent[] = [];
    const messages = await consumer.consume({ max_messages: 512 });
    try {
      for await (const msg of messages) {
        events.push({ seq: msg.seq, event: decodeJournalEvent(msg.data) });
        if (msg.info.pending === 0) break;
      }
    } finally {
      await messages.close();
    }
    return events;
  }

  return {
    async read(ref: AggregateRef, afterSeq = 0): Promise<StoredEvent[]> {
      const subject = journalSubject(ref, topology);
      const lastSeq = await lastSeqOf(subject);
      if (lastSeq <= afterSeq) return [];
      return readSubject(subject, afterSeq);
    },

    async readAssets(): Promise<StoredEvent[]> {
      const subject = 'evt.asset.*';
      const info = await jsm.streams.info(STREAMS.journal, { subjects_filter: subject });
      if (Object.keys(info.state.subjects ?? {}).length === 0) return [];
      return readSubject(subject, 0);
    },

    async append(ref: AggregateRef, event: EventEnvelope, expectedLastSeq: number): Promise<{ seq: number }> {
      const h = headers();
      h.set('Event-Type', event.type);
      const subject = journalSubject(ref, topology);
      const publish = () => js.publish(subject, encodeJson(event), { headers: h, msgID: event.id, expect: { lastSubjectSequence: expectedLastSeq } });
      try {
        const ack = tracing.enabled
          ? await tracing.send(subject, h, { attributes: { 'messaging.message.id': event.id, 'jetledger.event.type': event.type } }, publish)
          : await publish();
        // A duplicate (same event id inside the dedupe window) is acked before the server checks the
        // expected sequence: the caller may have decided on a stale copy, and the event stored under
        // this id may sit at another version. Only a fresh read tells what really happened.
        if (ack.duplicate) throw new ConcurrencyError(ref, expectedLastSeq);
        return { seq: ack.seq };
      } catch (error) {
        const e = error as { api_error?: { err_code?: number } };
        if (e.api_error?.err_code === WRONG_LAST_SEQUENCE) throw new ConcurrencyError(ref, expectedLastSeq, { cause: error });
        throw error;
      }
    },
  };
}
