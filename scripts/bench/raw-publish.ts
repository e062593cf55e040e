/**
 * "The limit": JetStream async publish into a stream set up like COMMANDS (file storage, work
 * queue, same dedupe window), with the bytes and headers the API sends for a deposit. No
 * JetLedger deposit can be faster than this on the same server.
 */
import { randomUUID } from 'node:crypto';
import { type NatsConnection, headers } from 'nats';
import { BENCH_AMOUNT, BENCH_ASSET } from './ledger-ops.js';
import { streamConfigs } from '../../src/infra/nats/streams.js';
import { STREAMS } from '../../src/infra/nats/topology.js';

const STREAM = 'BENCH';
/** Spread over this many subjects, as commands spread over wallets. */
const SUBJECTS = 1_000;

/** A deposit command as the API's command bus encodes it (ledger-service messageOf + command-bus). */
export function sampleDepositCommand(): Uint8Array {
  const id = randomUUID();
  return new TextEncoder().encode(
    JSON.stringify({
      type: 'Deposit',
      data: { walletId: randomUUID(), asset: BENCH_ASSET, amount: BENCH_AMOUNT },
      metadata: { commandId: id, correlationId: id, actor: 'bench', admin: false, issuedAt: new Date().toISOString(), fingerprint: randomUUID() },
    }),
  );
}

export type RawPublishResult = Readonly<{ count: number; bytes: number; elapsedMs: number; inFlight: number }>;

export async function rawPublish(nc: NatsConnection, count: number, inFlight: number): Promise<RawPublishResult> {
  const jsm = await nc.jetstreamManager();
  const commands = streamConfigs(1).find((c) => c.name === STREAMS.commands);
  await jsm.streams.add({ ...commands, name: STREAM, subjects: ['bench.>'], description: 'bench: raw publish limit' });
  try {
    const js = nc.jetstream();
    const payload = sampleDepositCommand();
    const subjects = Array.from({ length: SUBJECTS }, () => `bench.wallet.${randomUUID()}`);
    let pending = 0;
    let failure: unknown = null;
    let wake: (() => void) | null = null;
    const settled = () => {
      pending--;
      const w = wake;
      wake = null;
      w?.();
    };
    const started = performance.now();
    for (let i = 0; i < count && failure === null; i++) {
      while (pending >= inFlight) await new Promise<void>((resolve) => (wake = resolve));
      const h = headers();
      h.set('Command-Type', 'Deposit');
      pending++;
      js.publish(subjects[i % SUBJECTS] as string, payload, { msgID: randomUUID(), headers: h }).then(settled, (error: unknown) => {
        failure ??= error;
        settled();
      });
    }
    while (pending > 0) await new Promise<void>((resolve) => (wake = resolve));
    const elapsedMs = performance.now() - started;
    if (failure !== null) throw new Error(`raw publish failed: ${String(failure)}`, { cause: failure });
    const info = await jsm.streams.info(STREAM);
    if (info.state.messages !== count) throw new Error(`raw publish: the stream holds ${info.state.messages} messages, expected ${count}`);
    return { count, bytes: payload.byteLength, elapsedMs, inFlight };
  } finally {
    await jsm.streams.delete(STREAM).catch(() => undefined);
  }
}
