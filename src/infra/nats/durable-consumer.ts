/**
 * Runs a durable pull consumer: fetches batches, hands them to a handler, acks what succeeded.
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
  batch?: number;
  /** Start from this stream sequence, replacing an existing consumer at another position. */
  startSeq?: number;
};

export type BatchHandler = (messages: JsMsg[]) => Promise<void>;
export type MessageHandler = (message: JsMsg) => Promise<void>;

/** Decides per message whether a failure is permanent (DLQ at once) or worth a retry. */
export type IsPoison = (error: unknown) => boolean;

export type RunningConsumer = { stop(): Promise<void> };

export async function ensureDurable(jsm: JetStreamManager, opts: DurableConsumerOptions): Promise<void> {
  const config: Partial<ConsumerConfig> = {
    durable_name: opts.durable,
    description: opts.description,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(opts.ackWaitMs ?? 30_000),
    max_deliver: -1,
    max_ack_pending: 10_000,
    ...(opts.filterSubject ? { filter_subject: opts.filterSubject } : {}),
    ...(opts.startSeq ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: opts.startSeq } : { deliver_policy: DeliverPolicy.All }),
  };
  try {
    const info = await jsm.consumers.info(opts.stream, opts.durable);
    if (opts.startSeq === undefined || info.ack_floor.stream_seq + 1 === opts.startSeq) return;
    await jsm.consumers.delete(opts.stream, opts.durable);
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

export type ConsumeMode =
  /** Each message handled on its own, up to `concurrency` at once (ordering per key is the handler's job). */
  | { kind: 'each'; concurrency: number; handle: MessageHandler }
  /** Consecutive messages handed over together, one batch at a time, in stream order. */
  | { kind: 'batch'; handle: BatchHandler };

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
  const messages = await consumer.consume({ max_messages: mode.kind === 'each' ? mode.concurrency : (opts.batch ?? 256) });
  const inFlight = new Set<Promise<void>>();

  // Batch mode: one batch at a time, in stream order; whatever arrives while a batch runs becomes
  // the next batch. (A message's info.pending cannot tell when to cut: messages delivered into our
  // buffer while a batch ran each said "pending 0" when they left the server.)
  const maxBatch = opts.batch ?? 256;
  let batch: JsMsg[] = [];
  let running: Promise<void> | null = null;
  const runNext = (handle: BatchHandler): void => {
    if (running || batch.length === 0) return;
    const ready = batch;
    batch = [];
    running = handle(ready)
      .catch((error) => log.error({ err: error, consumer: opts.durable }, 'batch failed'))
      .finally(() => {
        running = null;
        runNext(handle);
      });
  };

  const loop = (async () => {
    for await (const msg of messages) {
      if (mode.kind === 'batch') {
        batch.push(msg);
        runNext(mode.handle);
        // Backpressure: one batch running and at most one full batch waiting.
        while (batch.length >= maxBatch && running) await running;
        continue;
      }
      while (inFlight.size >= mode.concurrency) await Promise.race(inFlight);
      const task: Promise<void> = mode
        .handle(msg)
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
      while (running) await running;
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
  opts: { isPoison: IsPoison; maxDeliver: number; log: Logger; onDeadLetter?: () => void },
): Promise<void> {
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
  }
}
