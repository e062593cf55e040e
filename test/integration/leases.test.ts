import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMongoProjectionStore } from '../../src/infra/mongo/projection-store.js';
import { readModelSnapshot } from '../../src/infra/mongo/read-store.js';
import { type Nats, connectNats } from '../../src/infra/nats/connection.js';
import { createNatsLeaseStore } from '../../src/infra/nats/leases.js';
import { ensureStreams } from '../../src/infra/nats/streams.js';
import { currentInstance, isCertainlyGone } from '../../src/infra/process-identity.js';
import { type Fence, LeaseLostError, type LeaseStore, type ProjectionChange } from '../../src/ports.js';
import { type TestDatabase, testDatabase } from '../support/mongo.js';
import { type TestNats, startTestNats } from '../support/nats.js';
import { TEST_TOPOLOGY } from '../support/projection.js';
import { waitFor } from '../support/wait.js';

const TTL = 1_000;
const SHARDS = ['0', '1', 'assets'];

describe('shard leases in NATS KV', () => {
  let server: TestNats;
  let nats: Nats;
  let leases: LeaseStore;
  const a = { owner: 'host-1-aaaaaa', space: 's', pid: 1 };
  const b = { owner: 'host-2-bbbbbb', space: 's', pid: 2 };

  beforeAll(async () => {
    server = await startTestNats();
    nats = await connectNats(server.url, 'leases-test');
    const topology = await ensureStreams(nats.nc, nats.jsm, { leaseTtlMs: TTL });
    expect(topology.leaseTtlMs).toBe(TTL);
    leases = await createNatsLeaseStore(nats.nc, SHARDS);
  });
  afterAll(async () => {
    await nats?.nc.close();
    await server?.stop();
  });

  it('lets one instance take a free shard, and nobody else while it renews', async () => {
    const lease = await leases.acquire('0', a);
    expect(lease).toMatchObject({ shard: '0', owner: a.owner });
    expect(await leases.acquire('0', b)).toBeNull();
    const renewed = await leases.renew(lease!, a);
    expect(renewed!.revision).toBeGreaterThan(lease!.revision);
    // The revision renewed away no longer works: a holder whose renewal was overtaken must stop.
    expect(await leases.renew(lease!, a)).toBeNull();
    expect(await leases.takeOver('0', lease!.revision, b)).toBeNull();
    expect((await leases.holders()).get('0')).toMatchObject({ owner: a.owner, revision: renewed!.revision });
    await leases.release(renewed!);
    expect((await leases.holders()).has('0')).toBe(false);
    expect(await leases.acquire('0', b)).not.toBeNull();
  });

  it('lets a lease lapse one TTL after its last renewal, at the server', async () => {
    const lease = await leases.acquire('1', a);
    expect(lease).not.toBeNull();
    const takenAt = Date.now();
    await waitFor(async () => (await leases.acquire('1', b)) !== null, { timeoutMs: 5 * TTL, intervalMs: 20, message: 'the lease to lapse' });
    expect(Date.now() - takenAt).toBeGreaterThanOrEqual(TTL - 50);
    expect(await leases.renew(lease!, a)).toBeNull();
  });

  it('hands a shard from a holder known to be gone to exactly one taker', async () => {
    const lease = await leases.acquire('assets', a);
    const { revision } = (await leases.holders()).get('assets')!;
    expect(revision).toBe(lease!.revision);
    const [first, second] = await Promise.all([leases.takeOver('assets', revision, b), leases.takeOver('assets', revision, { ...b, owner: 'c' })]);
    expect([first, second].filter((l) => l !== null)).toHaveLength(1);
  });

  it('counts an instance live until one TTL after its last heartbeat', async () => {
    await leases.heartbeat(a);
    await leases.heartbeat(b);
    expect((await leases.instances()).map((i) => i.owner).sort()).toEqual([a.owner, b.owner]);
    await leases.leave(b.owner);
    expect((await leases.instances()).map((i) => i.owner)).toEqual([a.owner]);
    await waitFor(async () => (await leases.instances()).length === 0, { timeoutMs: 5 * TTL, message: 'the heartbeat to lapse' });
  });
});

describe('telling a gone projector from a live one', () => {
  it('knows a process of this host that no longer exists, or whose pid is now ours, is gone; never guesses elsewhere', () => {
    const me = currentInstance();
    expect(isCertainlyGone(me, me)).toBe(false);
    expect(isCertainlyGone({ ...me, owner: 'previous-me' }, me)).toBe(true);
    expect(isCertainlyGone({ owner: 'parent', space: me.space, pid: process.ppid }, me)).toBe(false);
    expect(isCertainlyGone({ owner: 'dead', space: me.space, pid: 2 ** 22 + 17 }, me)).toBe(true);
    expect(isCertainlyGone({ owner: 'elsewhere', space: 'another-host', pid: 2 ** 22 + 17 }, me)).toBe(false);
  });
});

describe('fencing in the MongoDB projection store', () => {
  let mongo: TestDatabase;
  beforeAll(async () => {
    mongo = await testDatabase();
  });
  afterAll(() => mongo?.drop());

  const at = new Date('2026-11-22T10:00:00.000Z');
  const wallet = (seq: number, name: string): ProjectionChange => ({
    kind: 'wallet',
    id: 'w1',
    seq,
    set: { name, version: seq, updatedAt: at },
    insert: { id: 'w1', ownerId: 'alice', name, status: 'ACTIVE', version: seq, createdAt: at, updatedAt: at, createdSeq: seq },
  });
  const other = (seq: number): ProjectionChange => ({ kind: 'wallet', id: 'w2', seq, set: { version: seq }, insert: { id: 'w2', ownerId: 'bob', name: 'w2', status: 'ACTIVE', version: seq, createdAt: at, updatedAt: at, createdSeq: seq } });
  const fenceOf = (epoch: number): Fence => ({ shard: '7', epoch, check: () => undefined });

  it('gives every claim a higher epoch and keeps the previous owner from writing over its successor', async () => {
    const store = await createMongoProjectionStore(mongo.db, TEST_TOPOLOGY);
    const first = await store.claim('7');
    expect(first).toEqual({ epoch: 1, checkpoint: 0 });
    const old = fenceOf(first.epoch);
    await store.write([wallet(1, 'one')], old);
    await store.advance(1, old);

    const second = await store.claim('7');
    expect(second).toEqual({ epoch: 2, checkpoint: 1 });
    const current = fenceOf(second.epoch);
    await store.write([wallet(5, 'five')], current);

    // The old owner wakes up with a later event of its own batch in hand: refused where the new owner wrote…
    await store.write([wallet(9, 'stale owner'), other(9)], old);
    const docs = await mongo.db.collection('wallets').find().sort({ _id: 1 }).toArray();
    expect(docs.map((d) => [d._id, d['name'], d['seq'], d['epoch']])).toEqual([
      ['w1', 'five', 5, 2],
      // …and where it is not refused, it writes what the new owner would write for that event.
      ['w2', 'w2', 9, 1],
    ]);
    // Its checkpoint can move no more, however far it got.
    await expect(store.advance(9, old)).rejects.toBeInstanceOf(LeaseLostError);
    await store.advance(5, current);
    expect((await store.checkpoints()).find((c) => c.shard === '7')).toEqual({ shard: '7', seq: 5, epoch: 2 });
  });

  it('never writes once the lease check fails', async () => {
    const db = await testDatabase();
    try {
      const store = await createMongoProjectionStore(db.db, TEST_TOPOLOGY);
      const { epoch } = await store.claim('3');
      const lapsed: Fence = {
        shard: '3',
        epoch,
        check: () => {
          throw new LeaseLostError('3', 'not renewed in time');
        },
      };
      await expect(store.write([wallet(1, 'x')], lapsed)).rejects.toBeInstanceOf(LeaseLostError);
      await expect(store.advance(1, lapsed)).rejects.toBeInstanceOf(LeaseLostError);
      expect((await readModelSnapshot(db.db, TEST_TOPOLOGY)).wallets).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
