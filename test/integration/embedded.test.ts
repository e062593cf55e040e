import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal128 } from 'mongodb';
import { connect, headers, JSONCodec, NatsError, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsServerNotFoundError, startNatsServer } from '../../src/infra/nats/embedded-server.js';
import { testDatabase } from '../support/mongo.js';
import { startTestNats, type TestNats } from '../support/nats.js';
import { waitUntil } from '../support/wait.js';

const jc = JSONCodec<{ n: number }>();

/** The JetStream API error code of a failed publish, e.g. 10071 for "wrong last sequence". */
function jsErrorCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}

describe('embedded nats-server', () => {
  let nats: TestNats;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startTestNats();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('serves JetStream: a stream stores what is published and reads it back', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'PROBE', subjects: ['probe.>'] });
    const ack = await nc.jetstream().publish('probe.a', jc.encode({ n: 42 }));
    expect(ack.stream).toBe('PROBE');

    const stored = await jsm.streams.getMessage('PROBE', { seq: ack.seq });
    expect(stored.subject).toBe('probe.a');
    expect(jc.decode(stored.data)).toEqual({ n: 42 });
  });

  it('keeps the journal across a crash and a restart on the same port', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'DURABLE', subjects: ['durable.>'] });
    const ack = await nc.jetstream().publish('durable.x', jc.encode({ n: 7 }));

    await nats.kill();
    await nats.restart();

    // The client reconnects to the same URL by itself; a request sent before it noticed the crash is lost.
    const stored = await waitUntil(
      async () => (await nc.jetstreamManager({ timeout: 1_000 })).streams.getMessage('DURABLE', { seq: ack.seq }),
      { message: 'the restarted server to serve the stored message' },
    );
    expect(jc.decode(stored.data)).toEqual({ n: 7 });
    const info = await (await nc.jetstreamManager()).streams.info('DURABLE');
    expect(info.state.last_seq).toBe(ack.seq);
  });
});

describe('startNatsServer', () => {
  let storeDir: string;
  let blocker: Server;
  let takenPort: number;

  beforeAll(async () => {
    storeDir = await mkdtemp(join(tmpdir(), 'jetledger-embedded-'));
    // Hangs up at once, so a connection attempt cannot keep close() waiting.
    blocker = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    takenPort = (blocker.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => blocker.close(resolve));
    await rm(storeDir, { recursive: true, force: true });
  });

  it('moves to a free port when the requested one is taken', async () => {
    const server = await startNatsServer({ storeDir, port: takenPort });
    try {
      expect(server.port).not.toBe(takenPort);
      expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
      const nc = await connect({ servers: server.url });
      await (await nc.jetstreamManager()).getAccountInfo();
      await nc.close();
    } finally {
      await server.stop();
    }
  });

  it('reports the server output when it exits during start', async () => {
    const start = startNatsServer({ storeDir, port: takenPort, portFallback: false });
    await expect(start).rejects.toThrow(/exited during start[\s\S]*address already in use/i);
  });

  it('explains how to install nats-server when the binary is missing', async () => {
    const start = startNatsServer({ storeDir, binary: join(storeDir, 'no-such-nats-server') });
    await expect(start).rejects.toBeInstanceOf(NatsServerNotFoundError);
    await expect(start).rejects.toThrow(/apt-get install nats-server[\s\S]*brew install nats-server[\s\S]*docker run[\s\S]*NATS_URL/);
  });
});

describe('embedded MongoDB', () => {
  it('round-trips Decimal128 exactly through the driver', async () => {
    const test = await testDatabase();
    try {
      const amounts = test.db.collection<{ _id: string; amount: Decimal128 }>('amounts');
      // 18 decimals (ETH) on a large total: a double would lose the tail.
      const exact = '123456789.123456789012345678';
      await amounts.insertOne({ _id: 'a', amount: Decimal128.fromString(exact) });
      const back = await amounts.findOne({ _id: 'a' });
      expect(back?.amount).toBeInstanceOf(Decimal128);
      expect(back?.amount.toString()).toBe(exact);
    } finally {
      await test.drop();
    }
  });
});

/**
 * Pins down the optimistic-concurrency primitive the journal relies on, with nats.js 2.29 against
 * nats-server 2.9.10. Finding: nats.js sends `expect.lastSubjectSequence` whenever it is a number,
 * so 0 is sent (not skipped as falsy); the server accepts 0 only while the subject is empty and
 * refuses otherwise with JetStream error 10071 "wrong last sequence". Setting the header by hand
 * behaves the same. A msgID duplicate is answered as a duplicate before the sequence check.
 */
describe('experiment: Nats-Expected-Last-Subject-Sequence', () => {
  let nats: TestNats;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startTestNats();
    nc = await connect({ servers: nats.url });
    await (await nc.jetstreamManager()).streams.add({ name: 'EXPECT', subjects: ['evt.>'] });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  it('sends lastSubjectSequence 0 and accepts it on an empty subject only', async () => {
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager();
    const first = await js.publish('evt.wallet.w1', jc.encode({ n: 1 }), { expect: { lastSubjectSequence: 0 } });

    const stored = await jsm.streams.getMessage('EXPECT', { seq: first.seq });
    expect(stored.header.get('Nats-Expected-Last-Subject-Sequence')).toBe('0');

    const conflict = await js
      .publish('evt.wallet.w1', jc.encode({ n: 2 }), { expect: { lastSubjectSequence: 0 } })
      .catch((error: unknown) => error);
    expect(jsErrorCode(conflict)).toBe(10071);
    expect(String((conflict as Error).message)).toMatch(/wrong last sequence/i);

    // Another subject of the same stream is independent.
    await expect(js.publish('evt.wallet.w2', jc.encode({ n: 1 }), { expect: { lastSubjectSequence: 0 } })).resolves.toMatchObject({
      duplicate: false,
    });

    const next = await js.publish('evt.wallet.w1', jc.encode({ n: 2 }), { expect: { lastSubjectSequence: first.seq } });
    expect(next.seq).toBeGreaterThan(first.seq);
    const stale = await js
      .publish('evt.wallet.w1', jc.encode({ n: 3 }), { expect: { lastSubjectSequence: first.seq } })
      .catch((error: unknown) => error);
    expect(jsErrorCode(stale)).toBe(10071);
  });

  it('behaves the same with the header set by hand', async () => {
    const js = nc.jetstream();
    const expectEmpty = () => {
      const h = headers();
      h.set('Nats-Expected-Last-Subject-Sequence', '0');
      return h;
    };
    await js.publish('evt.wallet.h1', jc.encode({ n: 1 }), { headers: expectEmpty() });
    const conflict = await js.publish('evt.wallet.h1', jc.encode({ n: 2 }), { headers: expectEmpty() }).catch((error: unknown) => error);
    expect(jsErrorCode(conflict)).toBe(10071);
  });

  it('answers a repeated msgID as a duplicate, not as a conflict', async () => {
    const js = nc.jetstream();
    const first = await js.publish('evt.wallet.d1', jc.encode({ n: 1 }), { msgID: 'cmd-1', expect: { lastSubjectSequence: 0 } });
    const again = await js.publish('evt.wallet.d1', jc.encode({ n: 1 }), { msgID: 'cmd-1', expect: { lastSubjectSequence: 0 } });
    expect(again).toMatchObject({ duplicate: true, seq: first.seq });
  });
});
