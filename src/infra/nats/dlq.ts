/**
 * Dead letters: a message that can never be handled (undecodable, invalid) or that failed too
 * often is copied to `dlq.<stream>.<consumer>` with the error and its origin, then terminated,
 * so it neither blocks its consumer nor loops forever. JetStream 2.9 has no DLQ of its own.
 */
import { type JetStreamClient, type JsMsg, headers } from 'nats';
import { dlqSubject } from './topology.js';

export async function deadLetter(js: JetStreamClient, msg: JsMsg, consumer: string, error: unknown): Promise<void> {
  const h = headers();
  for (const [key, values] of msg.headers ?? []) for (const value of values) h.append(key, value);
  h.set('Dlq-Error', String((error as Error)?.message ?? error).slice(0, 1024));
  h.set('Dlq-Stream', msg.info.stream);
  h.set('Dlq-Consumer', consumer);
  h.set('Dlq-Subject', msg.subject);
  h.set('Dlq-Sequence', String(msg.seq));
  h.set('Dlq-Deliveries', String(msg.info.redeliveryCount));
  await js.publish(dlqSubject(msg.info.stream, consumer), msg.data, { headers: h, msgID: `${msg.info.stream}:${msg.seq}` });
  msg.term();
}
