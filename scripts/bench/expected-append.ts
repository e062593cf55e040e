/**
 * The limit for decided commands: the processor appends each event with
 * Nats-Expected-Last-Subject-Sequence, so a wallet's next append cannot leave before the previous
 * one's ack says which sequence it got. Here that chain is pipelined across subjects: 64
 * subjects, one append in flight per subject (so 64 overall), each naming the sequence its
 * subject's previous append got, into a stream set up like JOURNAL (file storage, dedupe window,
 * deny delete/purge) under its own name. The message is a FundsDeposited envelope as the journal
 * holds it. No decided deposit, whatever the processor does, can go faster than this on the same
 * server with the same number of wallets in flight.
 */
import { randomUUID } from 'node:crypto';
import { type NatsConnection, headers } from 'nats';
import type { EventEnvelope } from '../../src/domain/events.js';
import { DEFAULT_SHARD_COUNT, shardOf } from '../../src/app/sharding.js';
import { SCHEMA_VERSIONS } from '../../src/domain/upcast.js';
import { encodeJson } from '../../src/infra/nats/json.js';
import { streamConfigs } from '../../src/infra/nats/streams.js';
import { STREAMS } from '../../src/infra/nats/topology.js';
import { BENCH_AMOUNT, BENCH_ASSET } from './ledger-ops.js';

const STREAM = 'BENCH_JOURNAL';
/** The subjects in flight at once: one per wallet being decided. */
export const APPEND_SUBJECTS = 64;

/** A deposit's event as the processor encodes it (fresh ids, the version it would have). */
export function sampleDepositEvent(walletId: string, version: number): Uint8Array {
  const event: EventEnvelope = {
    id: randomUUID(),
    type: 'FundsDeposited',
    walletId,
    version,
    occurredAt: new Date().toISOString(),
    commandId: randomUUID(),
    correlationId: randomUUID(),
    actor: 'bench',
    schemaVersion: SCHEMA_VERSIONS.FundsDeposited,
    data: { asset: BENCH_ASSET, amount: BENCH_AMOUNT, network: 'fiat', totalAfter: `${version}.00`, reservedAfter: '0.00' },
  };
  return encodeJson(event);
}

export type AppendResult = Readonly<{ count: number; bytes: number; elapsedMs: number; subjects: number }>;

export async function expectedSequenceAppends(nc: NatsConnection, count: number): Promise<AppendResult> {
  const jsm = await nc.jetstreamManager();
  const journal = streamConfigs(1).find((c) => c.name === STREAMS.journal);
  await jsm.streams.add({ ...journal, name: STREAM, subjects: ['benchj.wallet.*.*'], description: 'bench: expected-sequence append limit' });
  try {
    const js = nc.jetstream();
    let next = 0;
    let bytes = 0;
    // One chain per subject: each append names the sequence the previous one got (0: the subject is empty).
    const chain = async (): Promise<void> => {
      const walletId = randomUUID();
      const subject = `benchj.wallet.${shardOf(walletId, DEFAULT_SHARD_COUNT)}.${walletId}`;
      let lastSeq = 0;
      let version = 0;
      while (next < count) {
        next++;
        version++;
        const payload = sampleDepositEvent(walletId, version);
        bytes = payload.byteLength;
        const h = headers();
        h.set('Event-Type', 'FundsDeposited');
        const ack = await js.publish(subject, payload, { headers: h, msgID: randomUUID(), expect: { lastSubjectSequence: lastSeq } });
        lastSeq = ack.seq;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: APPEND_SUBJECTS }, chain));
    const elapsedMs = performance.now() - started;
    const info = await jsm.streams.info(STREAM);
    if (info.state.messages !== count) throw new Error(`expected-sequence appends: the stream holds ${info.state.messages} messages, expected ${count}`);
    return { count, bytes, elapsedMs, subjects: APPEND_SUBJECTS };
  } finally {
    // deny_delete forbids deleting messages, not the stream itself.
    await jsm.streams.delete(STREAM).catch(() => undefined);
  }
}
