/**
 * An in-memory Journal with the JetStream adapter's semantics, for unit tests of the app layer:
 * one sequence for the whole journal, appends guarded by the aggregate's last sequence (a mismatch
 * is a ConcurrencyError), and an event id seen before answered as a duplicate (the adapter turns
 * JetStream's duplicate ack into a ConcurrencyError too). Events are stored as JSON and decoded
 * through the journal decoder on every read, so upcasting applies as it does with NATS.
 */
import { decodeJournalEvent } from '../../src/infra/nats/event-codec.js';
import type { EventEnvelope } from '../../src/domain/events.js';
import { type AggregateRef, ConcurrencyError, type Journal, type StoredEvent } from '../../src/ports.js';

type Stored = { seq: number; key: string; json: string; id: string };

export type MemoryJournal = Journal & {
  /** Every event, in sequence order, decoded. */
  all(): StoredEvent[];
  /** Appends as another process would, bypassing the hooks; returns the stored event. */
  appendRaw(ref: AggregateRef, event: EventEnvelope | Record<string, unknown>): StoredEvent;
  /** Runs before each append's sequence check: a test's concurrent writer goes here. */
  beforeAppend: ((ref: AggregateRef, event: EventEnvelope) => void) | null;
  /** How many events each `read` handed out, in order (what a cold load costs). */
  readonly reads: Array<{ ref: string; afterSeq: number; events: number }>;
  readonly appends: number;
  /** JetStream forgets message ids after its dedupe window (2 minutes): from now on a known id is appended again. */
  forgetIds(): void;
};

const keyOf = (ref: AggregateRef) => `${ref.kind}.${ref.id}`;

export function createMemoryJournal(): MemoryJournal {
  const log: Stored[] = [];
  const lastOf = new Map<string, number>();
  const ids = new Set<string>();
  const decode = (s: Stored): StoredEvent => ({ seq: s.seq, event: decodeJournalEvent(new TextEncoder().encode(s.json)) });
  const store = (ref: AggregateRef, event: { id?: unknown }): StoredEvent => {
    const stored = { seq: log.length + 1, key: keyOf(ref), json: JSON.stringify(event), id: String(event.id) };
    log.push(stored);
    ids.add(stored.id);
    lastOf.set(stored.key, stored.seq);
    return decode(stored);
  };
  const journal: MemoryJournal = {
    reads: [],
    appends: 0,
    beforeAppend: null,
    all: () => log.map(decode),
    forgetIds: () => ids.clear(),
    appendRaw: (ref, event) => store(ref, event),
    async read(ref, afterSeq = 0) {
      const key = keyOf(ref);
      const events = log.filter((s) => s.key === key && s.seq > afterSeq).map(decode);
      journal.reads.push({ ref: key, afterSeq, events: events.length });
      return events;
    },
    async readAssets() {
      return log.filter((s) => s.key.startsWith('asset.')).map(decode);
    },
    async eventAt(ref, seq) {
      const stored = log[seq - 1];
      return stored && stored.key === keyOf(ref) ? decode(stored).event : null;
    },
    async append(ref, event, expectedLastSeq) {
      journal.beforeAppend?.(ref, event);
      // As JetStream: a known message id is acked as a duplicate before the sequence is checked.
      if (ids.has(event.id)) throw new ConcurrencyError(ref, expectedLastSeq);
      if ((lastOf.get(keyOf(ref)) ?? 0) !== expectedLastSeq) throw new ConcurrencyError(ref, expectedLastSeq);
      (journal as { appends: number }).appends++;
      return { seq: store(ref, event).seq };
    },
  };
  return journal;
}
