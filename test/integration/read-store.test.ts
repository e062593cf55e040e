import { Decimal128 } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectEvent } from '../../src/app/projection.js';
import type { AssetEvent, EventEnvelope, WalletEvent } from '../../src/domain/events.js';
import { createMongoReadStore, readModelSnapshot } from '../../src/infra/mongo/read-store.js';
import type { ProjectionChange, ReadStore, StoredEvent } from '../../src/ports.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';
import { type SingleWriter, TEST_SHARD, TEST_TOPOLOGY, singleWriter } from '../support/projection.js';
import { SCHEMA_VERSIONS } from '../../src/domain/upcast.js';

// ------------------------------------------------------------------ a small journal

const BASE = Date.UTC(2026, 10, 22, 10, 0, 0);
/** Event `seq` happens `seq` minutes after BASE. */
const time = (seq: number) => new Date(BASE + seq * 60_000);
const HOUR = 3_600_000;

const journal: StoredEvent[] = [];
const versions = new Map<string, number>();

function walletEvent(walletId: string, event: WalletEvent): void {
  const version = (versions.get(walletId) ?? 0) + 1;
  versions.set(walletId, version);
  append({ walletId, version }, event);
}

function assetEvent(event: AssetEvent & { type: 'AssetRegistered' }): void {
  append({ assetCode: event.data.code, version: 1 }, event);
}

function append(where: { walletId?: string; assetCode?: string; version: number }, event: WalletEvent | AssetEvent): void {
  const seq = journal.length + 1;
  const envelope = {
    id: `evt-${seq}`,
    type: event.type,
    schemaVersion: SCHEMA_VERSIONS[event.type],
    ...where,
    occurredAt: time(seq).toISOString(),
    commandId: `cmd-${seq}`,
    correlationId: `corr-${seq}`,
    actor: 'user-1',
    data: event.data,
  } as EventEnvelope;
  journal.push({ seq, event: envelope });
}

const A = 'wallet-a';
const B = 'wallet-b';
const C = 'wallet-c';
const D = 'wallet-d';
const E = 'wallet-e';
const SCHEDULED_AT = new Date(BASE + 2 * HOUR);
const SCHEDULED_EARLIER_AT = new Date(BASE + 1 * HOUR);

assetEvent({ type: 'AssetRegistered', data: { code: 'ETH', decimals: 18, networks: ['ethereum'], minAmount: null, maxAmount: '1000.0' } }); // 1
assetEvent({ type: 'AssetRegistered', data: { code: 'BTC', decimals: 8, networks: ['bitcoin'], minAmount: '0.0001', maxAmount: null } }); // 2
walletEvent(A, { type: 'WalletCreated', data: { ownerId: 'user-1', name: 'Main' } }); // 3
walletEvent(B, { type: 'WalletCreated', data: { ownerId: 'user-2', name: 'Other' } }); // 4
walletEvent(A, { type: 'FundsDeposited', data: { asset: 'BTC', amount: '2.5', network: 'bitcoin', totalAfter: '2.5', reservedAfter: '0' } }); // 5
walletEvent(A, { type: 'FundsDeposited', data: { asset: 'ETH', amount: '10', network: 'ethereum', totalAfter: '10', reservedAfter: '0' } }); // 6
walletEvent(A, {
  type: 'TransferScheduled',
  data: { transferId: 't-sched', toWalletId: B, asset: 'BTC', amount: '0.5', executeAt: new Date(BASE + 24 * HOUR).toISOString(), totalAfter: '2.5', reservedAfter: '0.5' },
}); // 7
walletEvent(A, { type: 'TransferDebited', data: { transferId: 't-now', toWalletId: B, asset: 'BTC', amount: '1', totalAfter: '1.5', reservedAfter: '0.5' } }); // 8
walletEvent(B, { type: 'TransferCredited', data: { transferId: 't-now', fromWalletId: A, asset: 'BTC', amount: '1', totalAfter: '1', reservedAfter: '0' } }); // 9
walletEvent(A, { type: 'TransferCompleted', data: { transferId: 't-now' } }); // 10
walletEvent(A, { type: 'TransferRescheduled', data: { transferId: 't-sched', executeAt: SCHEDULED_AT.toISOString() } }); // 11
walletEvent(A, {
  type: 'TransferScheduled',
  data: { transferId: 't-cancel', toWalletId: B, asset: 'ETH', amount: '3', executeAt: new Date(BASE + 72 * HOUR).toISOString(), totalAfter: '10', reservedAfter: '3' },
}); // 12
walletEvent(A, { type: 'TransferCancelled', data: { transferId: 't-cancel', asset: 'ETH', amount: '3', totalAfter: '10', reservedAfter: '0' } }); // 13
walletEvent(A, { type: 'TransferDebited', data: { transferId: 't-fail', toWalletId: B, asset: 'ETH', amount: '4', totalAfter: '6', reservedAfter: '0' } }); // 14
walletEvent(A, {
  type: 'TransferFailed',
  data: { transferId: 't-fail', asset: 'ETH', amount: '4', reason: 'WALLET_CLOSED', reasonCode: 'UNKNOWN', stage: 'DEBITED', totalAfter: '10', reservedAfter: '0' },
}); // 15
walletEvent(B, { type: 'WalletRenamed', data: { name: 'Renamed' } }); // 16
walletEvent(A, { type: 'FundsWithdrawn', data: { asset: 'BTC', amount: '0.25', network: 'bitcoin', totalAfter: '1.25', reservedAfter: '0.5' } }); // 17
walletEvent(C, { type: 'WalletCreated', data: { ownerId: 'user-1', name: 'Old' } }); // 18
walletEvent(C, { type: 'WalletClosed', data: {} }); // 19
walletEvent(D, { type: 'WalletCreated', data: { ownerId: 'user-1', name: 'Fourth' } }); // 20
walletEvent(E, { type: 'WalletCreated', data: { ownerId: 'user-1', name: 'Fifth' } }); // 21
walletEvent(B, { type: 'FundsDeposited', data: { asset: 'BTC', amount: '1', network: 'bitcoin', totalAfter: '2', reservedAfter: '0' } }); // 22
walletEvent(B, {
  type: 'TransferScheduled',
  data: { transferId: 't-sched2', toWalletId: A, asset: 'BTC', amount: '0.1', executeAt: SCHEDULED_EARLIER_AT.toISOString(), totalAfter: '2', reservedAfter: '0.1' },
}); // 23
// The scheduler's turn comes later in the tests: events up to here are "phase 1".
const PHASE_1 = journal.length;
walletEvent(A, { type: 'TransferDebited', data: { transferId: 't-sched', toWalletId: B, asset: 'BTC', amount: '0.5', totalAfter: '0.75', reservedAfter: '0' } }); // 24
const LAST = journal.length;

const changesOf = (events: readonly StoredEvent[]): ProjectionChange[] => events.flatMap((e) => projectEvent(e));
const upto = (seq: number) => journal.slice(0, seq);
const range = (from: number, to: number) => journal.slice(from - 1, to);

async function applyInBatches(writer: SingleWriter, sizes: readonly number[]): Promise<void> {
  let next = 1;
  for (let i = 0; next <= LAST; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    const batch = range(next, Math.min(LAST, next + size - 1));
    await writer.apply(changesOf(batch), batch.at(-1)!.seq);
    next += batch.length;
  }
}

// ------------------------------------------------------------------ tests

const opened: TestDatabase[] = [];
type Fresh = { db: TestDatabase; store: ReadStore; writer: SingleWriter };
async function freshStore(): Promise<Fresh> {
  const db = await testDatabase();
  opened.push(db);
  return { db, store: await createMongoReadStore(db.db, TEST_TOPOLOGY), writer: await singleWriter(db.db) };
}

afterAll(async () => {
  await Promise.all(opened.map((db) => db.drop()));
});

describe('MongoDB read store', () => {
  let main: Fresh;

  beforeAll(async () => {
    main = await freshStore();
    await main.writer.apply(changesOf(upto(PHASE_1)), PHASE_1);
  });

  it('starts at checkpoint 0 on an empty database and moves to the applied sequence', async () => {
    const { store } = await freshStore();
    expect(await store.checkpoint(TEST_SHARD)).toBe(0);
    expect(await main.store.checkpoint(TEST_SHARD)).toBe(PHASE_1);
  });

  it('stores amounts as Decimal128 and reads back canonical strings', async () => {
    const raw = await main.db.db.collection('balances').findOne({ _id: `${A}:BTC` as never });
    expect(raw?.total).toBeInstanceOf(Decimal128);
    expect(raw?.total.toString()).toBe('1.25');
    // Written by hand in non-canonical forms Decimal128 preserves: trailing zeros and exponent notation.
    const { db, store } = await freshStore();
    await db.db.collection('balances').insertOne({
      _id: 'w-raw:BTC' as never,
      walletId: 'w-raw',
      asset: 'BTC',
      total: Decimal128.fromString('1.50'),
      reserved: Decimal128.fromString('1E-7'),
      available: Decimal128.fromString('1.4999999E+0'),
      version: 1,
      updatedAt: time(1),
      seq: 1,
    });
    const [balance] = await store.balancesByWalletIds(['w-raw']);
    expect(balance).toMatchObject({ total: '1.5', reserved: '0.0000001', available: '1.4999999' });
  });

  it('finds wallets by ids with their latest state', async () => {
    const wallets = await main.store.walletsByIds([B, C, 'nope']);
    expect(wallets).toEqual([
      { id: B, ownerId: 'user-2', name: 'Renamed', status: 'ACTIVE', version: 5, createdAt: time(4), updatedAt: time(23), createdSeq: 4 },
      { id: C, ownerId: 'user-1', name: 'Old', status: 'CLOSED', version: 2, createdAt: time(18), updatedAt: time(19), createdSeq: 18 },
    ]);
    expect(await main.store.walletsByIds([])).toEqual([]);
  });

  it('lists wallets by owner and status in creation order, page by page', async () => {
    const ids = (page: { items: { id: string }[] }) => page.items.map((w) => w.id);
    const first = await main.store.listWallets({ ownerId: 'user-1', first: 2 });
    expect(ids(first)).toEqual([A, C]);
    expect(first.hasNextPage).toBe(true);
    const second = await main.store.listWallets({ ownerId: 'user-1', first: 2, afterSeq: first.items.at(-1)!.createdSeq });
    expect(ids(second)).toEqual([D, E]);
    expect(second.hasNextPage).toBe(false);
    const exact = await main.store.listWallets({ ownerId: 'user-1', first: 4 });
    expect(exact.hasNextPage).toBe(false);
    expect(ids(await main.store.listWallets({ status: 'CLOSED', first: 10 }))).toEqual([C]);
    expect(ids(await main.store.listWallets({ ownerId: 'user-1', status: 'ACTIVE', first: 10 }))).toEqual([A, D, E]);
    expect(ids(await main.store.listWallets({ first: 10, afterSeq: 4 }))).toEqual([C, D, E]);
  });

  it('returns current balances sorted by wallet and asset', async () => {
    expect(await main.store.balancesByWalletIds([B, A])).toEqual([
      { walletId: A, asset: 'BTC', total: '1.25', reserved: '0.5', available: '0.75', version: 12, updatedAt: time(17) },
      { walletId: A, asset: 'ETH', total: '10', reserved: '0', available: '10', version: 11, updatedAt: time(15) },
      { walletId: B, asset: 'BTC', total: '2', reserved: '0.1', available: '1.9', version: 5, updatedAt: time(23) },
    ]);
  });

  it('answers balanceAt before, at, between and after the entries', async () => {
    const at = (ms: number) => main.store.balanceAt(A, 'BTC', new Date(ms));
    expect(await at(time(5).getTime() - 1)).toBeNull();
    expect(await at(time(5).getTime())).toEqual({
      walletId: A, asset: 'BTC', total: '2.5', reserved: '0', available: '2.5', version: 2, updatedAt: time(5),
    });
    expect(await at(time(7).getTime() + 30_000)).toEqual({
      walletId: A, asset: 'BTC', total: '2.5', reserved: '0.5', available: '2', version: 4, updatedAt: time(7),
    });
    // Events of other assets in between do not count.
    expect(await at(time(16).getTime())).toMatchObject({ total: '1.5', reserved: '0.5', available: '1', version: 5 });
    const now = await at(time(100).getTime());
    const [current] = await main.store.balancesByWalletIds([A]);
    expect(now).toEqual(current);
    expect(await main.store.balanceAt(A, 'DOGE', time(100))).toBeNull();
  });

  it('lists ledger entries newest first with a cursor and an asset filter', async () => {
    const seqs = (page: { items: { seq: number }[] }) => page.items.map((e) => e.seq);
    const first = await main.store.ledgerEntries({ walletId: A, first: 4 });
    expect(seqs(first)).toEqual([17, 15, 14, 13]);
    expect(first.hasNextPage).toBe(true);
    const second = await main.store.ledgerEntries({ walletId: A, first: 4, beforeSeq: 13 });
    expect(seqs(second)).toEqual([12, 8, 7, 6]);
    expect(second.hasNextPage).toBe(true);
    const last = await main.store.ledgerEntries({ walletId: A, first: 4, beforeSeq: 6 });
    expect(seqs(last)).toEqual([5]);
    expect(last.hasNextPage).toBe(false);
    expect(seqs(await main.store.ledgerEntries({ walletId: A, asset: 'ETH', first: 10 }))).toEqual([15, 14, 13, 12, 6]);
    expect(first.items[1]).toEqual({
      id: 'evt-15',
      walletId: A,
      asset: 'ETH',
      type: 'TRANSFER_REFUND',
      amount: '4',
      totalAfter: '10',
      reservedAfter: '0',
      transferId: 't-fail',
      commandId: 'cmd-15',
      version: 11,
      occurredAt: time(15),
      seq: 15,
    });
  });

  it('finds ledger entries by ids', async () => {
    const entries = await main.store.ledgerEntriesByIds(['evt-9', 'evt-5', 'evt-10', 'nope']);
    expect(entries.map((e) => [e.id, e.type, e.walletId])).toEqual([
      ['evt-9', 'TRANSFER_IN', B],
      ['evt-5', 'DEPOSIT', A],
    ]);
  });

  it('finds transfers by ids and by wallet, newest first, in every status', async () => {
    const byId = await main.store.transfersByIds(['t-now', 't-cancel', 't-fail']);
    expect(byId).toEqual([
      { id: 't-fail', fromWalletId: A, toWalletId: B, asset: 'ETH', amount: '4', status: 'FAILED', executeAt: null, createdAt: time(14), completedAt: time(15), failureReason: 'WALLET_CLOSED' },
      { id: 't-cancel', fromWalletId: A, toWalletId: B, asset: 'ETH', amount: '3', status: 'CANCELLED', executeAt: new Date(BASE + 72 * HOUR), createdAt: time(12), completedAt: time(13), failureReason: null },
      { id: 't-now', fromWalletId: A, toWalletId: B, asset: 'BTC', amount: '1', status: 'COMPLETED', executeAt: null, createdAt: time(8), completedAt: time(10), failureReason: null },
    ]);
    const ofB = await main.store.transfersOfWallets([B]);
    expect(ofB.map((t) => t.id)).toEqual(['t-sched2', 't-fail', 't-cancel', 't-now', 't-sched']);
    expect((await main.store.transfersOfWallets([A], 'SCHEDULED')).map((t) => t.id)).toEqual(['t-sched2', 't-sched']);
    expect((await main.store.transfersOfWallets([C, D], undefined))).toEqual([]);
    expect(await main.store.transfersOfWallets([])).toEqual([]);
  });

  it('lists due scheduled transfers oldest first', async () => {
    const due = async (ms: number, limit = 10) => (await main.store.dueTransfers(new Date(ms), limit)).map((t) => t.id);
    expect(await due(SCHEDULED_EARLIER_AT.getTime() - 1)).toEqual([]);
    expect(await due(SCHEDULED_EARLIER_AT.getTime())).toEqual(['t-sched2']);
    expect(await due(SCHEDULED_AT.getTime() + HOUR)).toEqual(['t-sched2', 't-sched']);
    expect(await due(SCHEDULED_AT.getTime() + HOUR, 1)).toEqual(['t-sched2']);
  });

  it('lists assets by code with canonical limits', async () => {
    expect(await main.store.assets()).toEqual([
      { code: 'BTC', decimals: 8, networks: ['bitcoin'], minAmount: '0.0001', maxAmount: null },
      { code: 'ETH', decimals: 18, networks: ['ethereum'], minAmount: null, maxAmount: '1000' },
    ]);
  });

  it('moves a scheduled transfer to PENDING in a later batch, keeping when it was created', async () => {
    const { store, writer } = await freshStore();
    await writer.apply(changesOf(upto(PHASE_1)), PHASE_1);
    await writer.apply(changesOf(range(PHASE_1 + 1, LAST)), LAST);
    const [transfer] = await store.transfersByIds(['t-sched']);
    expect(transfer).toEqual({
      id: 't-sched', fromWalletId: A, toWalletId: B, asset: 'BTC', amount: '0.5', status: 'PENDING',
      executeAt: SCHEDULED_AT, createdAt: time(7), completedAt: null, failureReason: null,
    });
    expect((await store.dueTransfers(new Date(BASE + 100 * HOUR), 10)).map((t) => t.id)).toEqual(['t-sched2']);
    expect(await store.checkpoint(TEST_SHARD)).toBe(LAST);
  });

  describe('idempotency and replay', () => {
    let reference: Awaited<ReturnType<typeof readModelSnapshot>>;
    beforeAll(async () => {
      const { db, writer } = await freshStore();
      await writer.apply(changesOf(journal), LAST);
      reference = await readModelSnapshot(db.db, TEST_TOPOLOGY);
    });

    it('the snapshot covers every read model', () => {
      expect(reference.wallets).toHaveLength(5);
      expect(reference.balances).toHaveLength(3);
      const moneyMoving = ['FundsDeposited', 'FundsWithdrawn', 'TransferScheduled', 'TransferDebited', 'TransferCredited', 'TransferCancelled', 'TransferFailed'];
      expect(reference.entries).toHaveLength(journal.filter((e) => moneyMoving.includes(e.event.type)).length);
      expect(reference.transfers).toHaveLength(5);
      expect(reference.assets).toHaveLength(2);
    });

    it('yields the same read models whatever the batching', async () => {
      for (const sizes of [[1], [3, 1, 7, 2], [5, 11]]) {
        const { db, store, writer } = await freshStore();
        await applyInBatches(writer, sizes);
        expect(await readModelSnapshot(db.db, TEST_TOPOLOGY), `batches of ${sizes.join(',')}`).toEqual(reference);
        expect(await store.checkpoint(TEST_SHARD)).toBe(LAST);
      }
    });

    it('changes nothing when a batch is applied again, and never moves the checkpoint back', async () => {
      const { db, store, writer } = await freshStore();
      await writer.apply(changesOf(journal), LAST);
      await writer.apply(changesOf(journal), LAST);
      expect(await readModelSnapshot(db.db, TEST_TOPOLOGY)).toEqual(reference);
      // A redelivery of old events (as after a consumer restart) is a no-op, checkpoint included.
      await writer.apply(changesOf(range(3, 12)), 12);
      await writer.apply(changesOf(range(16, 16)), 16);
      expect(await readModelSnapshot(db.db, TEST_TOPOLOGY)).toEqual(reference);
      expect(await store.checkpoint(TEST_SHARD)).toBe(LAST);
    });

    it('never lets an older sequence overwrite a newer one, in or across batches', async () => {
      const { db, store, writer } = await freshStore();
      await writer.apply(changesOf(journal), LAST);
      const stale: ProjectionChange[] = [
        { kind: 'wallet', id: B, seq: 5, set: { name: 'Stale', version: 2 } },
        { kind: 'balance', seq: 6, balance: { walletId: A, asset: 'BTC', total: '999', reserved: '0', available: '999', version: 3, updatedAt: time(6) } },
        { kind: 'transfer', id: 't-now', walletId: A, seq: 9, set: { status: 'PENDING' } },
        { kind: 'entry', entry: { ...(await store.ledgerEntriesByIds(['evt-5']))[0]!, amount: '123' } },
      ];
      await writer.apply(stale, 9);
      // Shuffled and duplicated within one batch: the highest sequence still wins.
      await writer.apply([...changesOf(range(3, 10)).reverse(), ...changesOf(range(3, 10))], 10);
      expect(await readModelSnapshot(db.db, TEST_TOPOLOGY)).toEqual(reference);
    });

    it('applies changes that arrive out of order within a batch by their sequence', async () => {
      const { db, writer } = await freshStore();
      await writer.apply([...changesOf(journal)].reverse(), LAST);
      expect(await readModelSnapshot(db.db, TEST_TOPOLOGY)).toEqual(reference);
    });

    it('tells apart read models that differ', async () => {
      const { db, writer } = await freshStore();
      await writer.apply(changesOf(upto(PHASE_1)), PHASE_1);
      expect(await readModelSnapshot(db.db, TEST_TOPOLOGY)).not.toEqual(reference);
    });
  });
});
