/**
 * Runs a durable pull consumer: hands each message to a handler, acks what succeeded.
 * A message whose handler throws is redelivered with a growing delay; one that keeps failing
 * (or is poison) goes to the DLQ. Stopping without draining (a crash) leaves unacked messages
 * to be redelivered to whoever runs the consumer next: handlers must be idempotent.
 */
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  nanos,
} from 'nats';
import type { Logger } from '../../logger.js';
import { NO_TRACING, type Tracing } from '../telemetry/tracing.js';
import { deadLetter } from './dlq.js';
import { isNotFound } from './streams.js';

export type DurableConsumerOptions = {
  stream: string;
  durable: string;
  description: string;
  filterSubject?: string;
  ackWaitMs?: number;
  /** Deliveries before a failing message goes to the DLQ. */
  maxDeliver?: number;
};

/**
 * How long a delivered message may go unacknowledged before JetStream hands it to another
 * consumer instance: what a SIGKILLed or SIGSTOPped processor costs the commands it held. Short,
 * because a handler that is merely slow says so (`working()`, see settle) and a repeat is safe.
 */
export const DEFAULT_ACK_WAIT_MS = 5_000;

export type MessageHandler = (message: JsMsg) => Promise<void>;

/** Decides per message whether a failure is permanent (DLQ at once) or worth a retry. */
export type IsPoison = (error: unknown) => boolean;

export type RunningConsumer = { stop(): Promise<void> };

export async function ensureDurable(jsm: JetStreamManager, opts: DurableConsumerOptions): Promise<void> {
  const config: Partial<ConsumerConfig> = {
    durable_name: opts.durable,
    description: opts.description,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
    max_deliver: -1,
    max_ack_pending: 10_000,
    ...(opts.filterSubject ? { filter_subject: opts.filterSubject } : {}),
    deliver_policy: DeliverPolicy.All,
  };
  try {
    await jsm.consumers.info(opts.stream, opts.durable);
    // Settings a consumer may change in place follow the code (an older deployment had another ack wait).
    await jsm.consumers.update(opts.stream, opts.durable, { description: config.description, ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending }).catch(() => undefined);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await jsm.consumers.add(opts.stream, config);
  } catch (error) {
    // Another instance created it first with the same settings.
    if (!/already in use|exists/i.test(String((error as Error).message))) throw error;
  }
}

/**
 * Each message handled on its own, up to `concurrency` at once (ordering per key is the handler's job),
 * in a span that continues the trace the message carries when tracing is on.
 */
export type ConsumeMode = { concurrency: number; handle: MessageHandler; tracing?: Tracing | undefined };

/**
 * Consumes until `stop`. `stop({ drain: false })` is a crash as far as JetStream can tell:
 * what was delivered but not acked comes back after the ack wait.
 */
export async function runDurable(
  js: JetStreamClient,
  jsm: JetStreamManager,
  opts: DurableConsumerOptions,
  mode: ConsumeMode,
  log: Logger,
): Promise<RunningConsumer> {
  await ensureDurable(jsm, opts);
  const consumer = await js.consumers.get(opts.stream, opts.durable);
  // Never hold more than we are working on: a message waiting in our buffer still runs down its ack wait.
  const messages = await consumer.consume({ max_messages: mode.concurrency });
  const inFlight = new Set<Promise<void>>();
  const tracing = mode.tracing ?? NO_TRACING;
  const handle = tracing.enabled ? (msg: JsMsg) => tracing.process(msg.subject, msg.headers, opts.durable, () => mode.handle(msg)) : mode.handle;

  const loop = (async () => {
    for await (const msg of messages) {
      while (inFlight.size >= mode.concurrency) await Promise.race(inFlight);
      const task: Promise<void> = handle(msg)
        .catch((error) => log.error({ err: error, consumer: opts.durable }, 'handler failed'))
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
  })();

  return {
    async stop() {
      await messages.close();
      await loop;
      await Promise.allSettled(inFlight);
    },
  };
}

/** Retry delay grows with each delivery, capped: a failing dependency is not hammered. */
export const retryDelayMs = (msg: JsMsg): number => Math.min(30_000, 250 * 2 ** Math.min(msg.info.redeliveryCount, 7));

/** Settles one message after its handler ran: ack, retry later, or dead-letter. */
export async function settle(
  js: JetStreamClient,
  msg: JsMsg,
  consumer: string,
  run: () => Promise<void>,
  opts: { isPoison: IsPoison; maxDeliver: number; log: Logger; onDeadLetter?: () => void; ackWaitMs?: number },
): Promise<void> {
  // Still alive, still on it: a long wait (a hot wallet's queue, a slow store) must not look like a crash.
  const heartbeat = setInterval(() => msg.working(), (opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS) / 3);
  try {
    await run();
    msg.ack();
  } catch (error) {
    if (opts.isPoison(error) || msg.info.redeliveryCount >= opts.maxDeliver) {
      opts.log.error({ err: error, consumer, seq: msg.seq, subject: msg.subject }, 'message sent to the DLQ');
      await deadLetter(js, msg, consumer, error);
      opts.onDeadLetter?.();
      return;
    }
    opts.log.warn({ err: error, consumer, seq: msg.seq, deliveries: msg.info.redeliveryCount }, 'message failed; will retry');
    msg.nak(retryDelayMs(msg));
  } finally {
    clearInterval(heartbeat);
  }
}
