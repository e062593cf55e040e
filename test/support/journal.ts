/** Reads the whole journal back, for assertions and invariant checks. */
import { decodeJournalEvent } from '../../src/infra/nats/event-codec.js';
import type { Nats } from '../../src/infra/nats/connection.js';
import type { StoredEvent } from '../../src/ports.js';

export async function readJournal(nats: Nats): Promise<StoredEvent[]> {
  const info = await nats.jsm.streams.info('JOURNAL');
  if (info.state.messages === 0) return [];
  // No options: with nats.js 2.29 on nats-server 2.9, an explicit `deliver_policy: all` makes the ordered consumer deliver nothing.
  const consumer = await nats.js.consumers.get('JOURNAL');
  const events: StoredEvent[] = [];
  const messages = await consumer.consume({ max_messages: 1000 });
  for await (const msg of messages) {
    events.push({ seq: msg.seq, event: decodeJournalEvent(msg.data) });
    if (msg.seq >= info.state.last_seq) break;
  }
  await messages.close();
  return events;
}

/** Messages on the subjects `subject` matches (wildcards allowed). */
export async function countOnSubject(nats: Nats, subject: string): Promise<number> {
  const info = await nats.jsm.streams.info('JOURNAL', { subjects_filter: subject });
  return Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
}

/** A wallet's journal subject whatever its shard. */
export const walletSubjects = (walletId: string): string => `evt.wallet.*.${walletId}`;
