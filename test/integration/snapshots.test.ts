/**
 * Snapshots on a real nats-server: the KV bucket, the checksum, and what a restarted processor reads
 * before its first decision on a long-lived wallet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/app/command-handler.js';
import type { Nats } from '../../src/infra/nats/connection.js';
import { connectNats } from '../../src/infra/nats/connection.js';
import { createNatsJournal } from '../../src/infra/nats/journal.js';
import { createNatsSnapshotStore, decodeSnapshot, encodeSnapshot, snapshotKey } from '../../src/infra/nats/snapshot-store.js';
import { type Topology, ensureStreams } from '../../src/infra/nats/streams.js';
import { SNAPSHOTS_BUCKET } from '../../src/infra/nats/topology.js';
import { systemClock, systemIds } from '../../src/infra/system.js';
import type { AggregateRef, Journal, SnapshotStore } from '../../src/ports.js';
import { defaultCatalog, deposit } from '../support/commands.js';
import { publishEvents, walletHistory } from '../support/journal-fixture.js';
import { type TestNats, startTestNats } from '../support/nats.js';

const EVENTS = 3_000;
const EVERY = 250;
const W: AggregateRef = { kind: 'wallet', id: 'long-lived' };

/** The journal port, counting what each read hands out. */
function counting(journal: Journal) {
  const reads: Array<{ afterSeq: number; events: number }> = [];
  const port: Journal = {
    ...journal,
    read: async (ref, afterSeq = 0) => {
      const events = await journal.read(ref, afterSeq);
      if (ref.id === W.id) reads.push({ afterSeq, events: events.length });
      return events;
    },
  };
  return { port, reads };
}

describe('snapshots in NATS KV', () => {
  let server: TestNats;
  let nats: Nats;
  let topology: Topology;
  let store: SnapshotStore;
  let lastSeq: number;

  const restart = async () => {
    const journal = counting(createNatsJournal(nats.js, nats.jsm, topology));
    const handler = await createCommandHandler({ journal: journal.port, clock: systemClock, ids: systemIds, snapshots: store, snapshotEvery: EVERY });
    return { handler, reads: journal.reads };
  };
  const kv = () => nats.nc.jetstream().views.kv(SNAPSHOTS_BUCKET, { bindOnly: true });

  beforeAll(async () => {
    server = await startTestNats();
    nats = await connectNats(server.url, 'snapshots-test');
    topology = await ensureStreams(nats.nc, nats.jsm, { shards: 4 });
    store = await createNatsSnapshotStore(nats.nc);
    const seed = await createCommandHandler({ journal: createNatsJournal(nats.js, nats.jsm, topology), clock: systemClock, ids: systemIds });
    for (const command of defaultCatalog()) await seed.handle(command);
    lastSeq = await publishEvents(nats.js, topology, walletHistory(W.id, EVENTS));
  });
  afterAll(async () => {
    await nats?.nc.close();
    await server?.stop();
  });

  it('the first processor replays the whole history once, and leaves a snapshot behind', async () => {
    const { handler, reads } = await restart();
    expect(await handler.handle(deposit(W.id, '1'))).toMatchObject({ state: 'ACCEPTED', aggregateVersion: EVENTS + 1 });
    expect(reads[0]).toEqual({ afterSeq: 0, events: EVENTS });
    await handler.flushSnapshots();
    // Of the wallet as loaded: the deposit appended after it is one event of the next EVERY.
    expect(await store.load(W)).toMatchObject({ version: EVENTS, seq: lastSeq });
  });

  it('a restarted processor starts from the snapshot: its first decision reads only the events after it', async () => {
    const { handler, reads } = await restart();
    expect(await handler.handle(deposit(W.id, '1'))).toMatchObject({ state: 'ACCEPTED', aggregateVersion: EVENTS + 2 });
    expect(reads[0]).toEqual({ afterSeq: lastSeq, events: 1 });
  });

  it('a damaged value (one byte changed) fails its checksum and is not handed out; the next load replays and writes a good one', async () => {
    const entry = await (await kv()).get(snapshotKey(W));
    const bytes = new Uint8Array(entry!.value);
    const at = bytes.length - 20;
    bytes[at] = bytes[at] === 0x31 ? 0x32 : 0x31;
    expect(decodeSnapshot(bytes)).toEqual({ damaged: 'checksum mismatch' });
    await (await kv()).put(snapshotKey(W), bytes);
    expect(await store.load(W)).toBeNull();

    const { handler, reads } = await restart();
    expect(await handler.handle(deposit(W.id, '1'))).toMatchObject({ state: 'ACCEPTED', aggregateVersion: EVENTS + 3 });
    expect(reads[0]).toMatchObject({ afterSeq: 0 });
    await handler.flushSnapshots();
    expect(await store.load(W)).toMatchObject({ version: EVENTS + 2 });
  });

  it('a snapshot of another state shape, though intact, is ignored and rebuilt', async () => {
    const good = (await store.load(W))!;
    await (await kv()).put(snapshotKey(W), encodeSnapshot({ ...good, shape: good.shape + 1 }));
    const { handler, reads } = await restart();
    expect(await handler.handle(deposit(W.id, '1'))).toMatchObject({ state: 'ACCEPTED', aggregateVersion: EVENTS + 4 });
    expect(reads[0]).toMatchObject({ afterSeq: 0 });
    await handler.flushSnapshots();
    expect(await store.load(W)).toMatchObject({ shape: good.shape, version: EVENTS + 3 });
  });

  it('a value that is not a snapshot at all is not one', () => {
    expect(decodeSnapshot(new TextEncoder().encode('garbage'))).toEqual({ damaged: 'no checksum line' });
    const body = JSON.stringify({ hello: 'world' });
    expect(decodeSnapshot(encodeSnapshot(JSON.parse(body)))).toMatchObject({ damaged: expect.stringMatching(/^not a snapshot/) });
  });
});
