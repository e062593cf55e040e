/**
 * Reads the JOURNAL stream in order, from a sequence to the end it had when reading began, for
 * `verify` and `rebuild`. Events appended meanwhile are left for the next run: a reader that
 * chased the end could never finish on a busy system.
 */
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from 'nats';
import type { StoredEvent } from '../../ports.js';
import { decodeJournalEvent } from './event-codec.js';
import { STREAMS } from './topology.js';

export type JournalReadOptions = {
  /** First sequence to read (default 1). */
  fromSeq?: number;
  /** Last sequence to read; default: the stream's last sequence when reading starts. */
  uptoSeq?: number;
  /** Events per batch handed over (default 1,000). */
  batchSize?: number;
  /** Called after each batch with the events read so far and the number expected in all. */
  onProgress?: (read: number, expected: number) => void;
};

/** The stream's current extent; `last` is 0 for an empty journal. */
export async function journalExtent(jsm: JetStreamManager): Promise<{ first: number; last: number; messages: number }> {
  const { state } = await jsm.streams.info(STREAMS.journal);
  return { first: state.first_seq, last: state.last_seq, messages: state.messages };
}

/** The journal in consecutive batches, in sequence order, through a short-lived ordered consumer. */
export async function* journalBatches(js: JetStreamClient, jsm: JetStreamManager, opts: JournalReadOptions = {}): AsyncGenerator<StoredEvent[]> {
  const extent = await journalExtent(jsm);
  const from = Math.max(opts.fromSeq ?? 1, extent.first, 1);
  const upto = Math.min(opts.uptoSeq ?? extent.last, extent.last);
  if (extent.messages === 0 || upto < from) return;
  const expected = upto - from + 1;
  const batchSize = opts.batchSize ?? 1_000;

  // No options from the start: with nats.js 2.29 on nats-server 2.9 an ordered consumer given
  // `deliver_policy: all` explicitly delivers nothing (test/support/journal.ts hit it first).
  const consumer = await js.consumers.get(
    STREAMS.journal,
    from <= extent.first ? undefined : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from },
  );
  const messages = await consumer.consume({ max_messages: Math.min(batchSize, 1_000) });
  let batch: StoredEvent[] = [];
  let read = 0;
  try {
    for await (const msg of messages) {
      if (msg.seq > upto) break;
      batch.push({ seq: msg.seq, event: decodeJournalEvent(msg.data) });
      const last = msg.seq >= upto;
      if (batch.length >= batchSize || last) {
        read += batch.length;
        const ready = batch;
        batch = [];
        yield ready;
        opts.onProgress?.(read, expected);
      }
      if (last) break;
    }
  } finally {
    await messages.close();
  }
}

/** The whole journal (or the asked range) in memory, in sequence order. */
export async function readJournal(js: JetStreamClient, jsm: JetStreamManager, opts: JournalReadOptions = {}): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const batch of journalBatches(js, jsm, opts)) events.push(...batch);
  return events;
}
