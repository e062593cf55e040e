/**
 * Snapshots, property-tested: over seeded random histories (deposits, withdrawals, renames,
 * immediate and scheduled transfers through the saga, cancellations), a wallet loaded from its
 * snapshot plus the events after it equals the wallet folded from its whole history; time travel
 * through a snapshot equals a replay; and a snapshot that cannot be trusted is ignored.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type Loaded, createAggregateRepository } from '../../../src/app/aggregate-repository.js';
import { walletAggregate } from '../../../src/app/aggregate-types.js';
import { type CommandHandler, createCommandHandler } from '../../../src/app/command-handler.js';
import { createProcessor } from '../../../src/app/processor.js';
import { createTransferSaga } from '../../../src/app/transfer-saga.js';
import { type AsOfCut, createWalletAsOf, walletStateAsOf } from '../../../src/app/wallet-as-of.js';
import type { WalletState } from '../../../src/domain/wallet.state.js';
import { systemIds } from '../../../src/infra/system.js';
import type { AggregateRef, AggregateSnapshot, CommandMessage } from '../../../src/ports.js';
import { createWallet, defaultCatalog, deposit, rename, steppingClock, transfer, wireMetadata, withdraw } from '../../support/commands.js';
import { type MemoryJournal, createMemoryJournal } from '../../support/memory-journal.js';
import { createMemoryOutcomeStore, createMemorySnapshotStore } from '../../support/memory-ports.js';
import { seeded } from '../../support/random.js';

const WALLETS = ['w0', 'w1', 'w2', 'w3'];
const ref = (id: string): AggregateRef => ({ kind: 'wallet', id });

let journal: MemoryJournal;
let snapshots: ReturnType<typeof createMemorySnapshotStore>;
const clock = steppingClock();

beforeEach(() => {
  journal = createMemoryJournal();
  snapshots = createMemorySnapshotStore();
});

async function handlerWith(every: number): Promise<CommandHandler> {
  return createCommandHandler({ journal, clock, ids: systemIds, snapshots, snapshotEvery: every });
}

/** A random history of `steps` commands over four wallets, decided by a handler that snapshots every `every` events. */
async function randomHistory(seed: number, steps: number, every: number): Promise<void> {
  const rng = seeded(seed);
  const handler = await handlerWith(every);
  const processor = createProcessor({ handler, outcomes: createMemoryOutcomeStore() });
  const saga = createTransferSaga({ processor, ids: systemIds, clock });
  for (const command of defaultCatalog()) await handler.handle(command);
  for (const id of WALLETS) await handler.handle(createWallet(id));
  const scheduled: Array<{ walletId: string; transferId: string }> = [];
  const amount = () => `${rng.between(1, 500)}.${String(rng.below(100)).padStart(2, '0')}`;
  for (let step = 0; step < steps; step++) {
    const walletId = rng.pick(WALLETS);
    const other = rng.pick(WALLETS.filter((w) => w !== walletId));
    const roll = rng.below(100);
    let command: CommandMessage;
    if (roll < 35) command = deposit(walletId, amount());
    else if (roll < 50) command = withdraw(walletId, amount());
    else if (roll < 60) command = rename(walletId, `name ${step}`);
    else if (roll < 80) command = transfer(walletId, other, amount(), `t-${seed}-${step}`);
    else if (roll < 90 || scheduled.length === 0) {
      command = transfer(walletId, other, amount(), `s-${seed}-${step}`, '2031-01-01T00:00:00.000Z');
      scheduled.push({ walletId, transferId: `s-${seed}-${step}` });
    } else {
      const { walletId: from, transferId } = scheduled.splice(rng.below(scheduled.length), 1)[0]!;
      command = { type: 'CancelTransfer', data: { walletId: from, transferId }, metadata: wireMetadata() };
    }
    const outcome = await processor.process(command);
    // The saga's part of an immediate transfer: credit the destination, complete or refund the source.
    if (outcome.state === 'ACCEPTED' && command.type === 'RequestTransfer' && outcome.journalSeq !== undefined) {
      const debited = journal.all().find((s) => s.seq === outcome.journalSeq);
      if (debited) await saga.handle(debited);
    }
  }
  await handler.flushSnapshots();
}

const withoutSnapshots = () => createAggregateRepository(walletAggregate, { journal, knowledge: () => knowledge });
const withSnapshots = () => createAggregateRepository(walletAggregate, { journal, knowledge: () => knowledge, snapshots });
let knowledge: { assets: ReturnType<CommandHandler['catalog']> };

const comparable = (loaded: Loaded<WalletState>) => ({
  state: loaded.state,
  version: loaded.version,
  lastSeq: loaded.lastSeq,
  lastEventId: loaded.lastEventId,
  lastOccurredAt: loaded.lastOccurredAt,
  recent: loaded.recent.toArray(),
});

describe('a wallet loaded from its snapshot', () => {
  it('equals the wallet folded from its whole history, over 12 seeded random histories', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      journal = createMemoryJournal();
      snapshots = createMemorySnapshotStore();
      const every = 3 + (seed % 7);
      await randomHistory(seed, 120, every);
      knowledge = { assets: (await handlerWith(0)).catalog() };
      for (const id of WALLETS) {
        const reads = journal.reads.length;
        const fromSnapshot = await withSnapshots().load(ref(id));
        const fromStart = await withoutSnapshots().load(ref(id));
        expect(comparable(fromSnapshot), `seed ${seed}, ${id}`).toEqual(comparable(fromStart));
        // And it did start from the snapshot: the first read began after it, and folded fewer than `every` events.
        const read = journal.reads[reads]!;
        expect(read.afterSeq, `seed ${seed}, ${id}`).toBeGreaterThan(0);
        expect(read.events, `seed ${seed}, ${id}`).toBeLessThan(every);
      }
    }
  });

  it('keeps open transfers, reservations and the recent command ids across a snapshot', async () => {
    await randomHistory(99, 150, 5);
    const saved = [...snapshots.raw.values()];
    expect(saved.some((s) => (s.state as { openTransfers: unknown[] }).openTransfers.length > 0)).toBe(true);
    expect(saved.some((s) => s.recent.length > 10)).toBe(true);
  });
});

describe('a snapshot that cannot be trusted', () => {
  let full: ReturnType<typeof comparable>;
  let good: AggregateSnapshot;
  beforeEach(async () => {
    await randomHistory(7, 80, 4);
    knowledge = { assets: (await handlerWith(0)).catalog() };
    full = comparable(await withoutSnapshots().load(ref('w1')));
    good = snapshots.raw.get('wallet.w1')!;
    expect(good).toBeDefined();
  });

  const loadWith = async (snapshot: AggregateSnapshot | Record<string, unknown>) => {
    snapshots.raw.set('wallet.w1', snapshot as AggregateSnapshot);
    const reads = journal.reads.length;
    const loaded = await withSnapshots().load(ref('w1'));
    return { loaded: comparable(loaded), firstRead: journal.reads[reads]! };
  };

  const cases: Array<[string, (s: AggregateSnapshot) => Record<string, unknown>]> = [
    ['of another state shape', (s) => ({ ...s, shape: s.shape + 1 })],
    ['whose state does not decode', (s) => ({ ...s, state: { ...(s.state as object), balances: [{ asset: 'USD', total: '1.5' }] } })],
    ['of another wallet', (s) => ({ ...s, state: { ...(s.state as object), id: 'w2' } })],
    ['whose last event is not where it says', (s) => ({ ...s, lastEventId: 'someone-else' })],
    ['claiming a version its sequence does not hold', (s) => ({ ...s, version: s.version + 1 })],
    ['pointing at another aggregate\'s event', (s) => ({ ...s, seq: 1 })],
  ];
  for (const [what, damage] of cases) {
    it(`is ignored when ${what}: the wallet is folded from the start, and comes out the same`, async () => {
      const { loaded, firstRead } = await loadWith(damage(good));
      expect(firstRead.afterSeq).toBe(0);
      expect(loaded).toEqual(full);
    });
  }

  it('is replaced by a good one from the replay that ignored it', async () => {
    snapshots.raw.set('wallet.w1', { ...good, shape: 999 });
    const repository = createAggregateRepository(walletAggregate, {
      journal,
      knowledge: () => knowledge,
      snapshots,
      writer: { schedule: (r, snapshot) => void snapshots.save(r, snapshot()), flush: async () => undefined },
      snapshotEvery: 4,
    });
    await repository.load(ref('w1'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(snapshots.raw.get('wallet.w1')).toMatchObject({ shape: good.shape, version: full.version, seq: full.lastSeq });
  });

  it('a good one is used (the control for the cases above)', async () => {
    const { loaded, firstRead } = await loadWith(good);
    expect(firstRead.afterSeq).toBe(good.seq);
    expect(loaded).toEqual(full);
  });
});

describe('time travel through a snapshot', () => {
  it('equals a replay at every version and at instants around every event, using the snapshot where it is within the cut', async () => {
    await randomHistory(31, 150, 6);
    const catalog = (await handlerWith(0)).catalog();
    const folds: string[] = [];
    const asOf = createWalletAsOf({ journal, snapshots, onFold: (from) => folds.push(from) });
    for (const id of WALLETS) {
      const events = await journal.read(ref(id));
      const snapshot = snapshots.raw.get(`wallet.${id}`)!;
      const cuts: AsOfCut[] = [
        ...events.map((s): AsOfCut => ({ kind: 'version', version: s.event.version })),
        { kind: 'version', version: events.length + 1 },
        ...events.flatMap((s) => [-1, 0, 1].map((d): AsOfCut => ({ kind: 'at', at: new Date(Date.parse(s.event.occurredAt) + d) }))),
      ];
      for (const cut of cuts) {
        folds.length = 0;
        expect(await asOf(id, cut), `${id} ${JSON.stringify(cut)}`).toEqual(walletStateAsOf(id, events, cut, catalog));
        const usable = cut.kind === 'version' ? cut.version >= snapshot.version : cut.at.getTime() >= Date.parse(snapshot.lastOccurredAt);
        expect(folds, `${id} ${JSON.stringify(cut)}`).toEqual([usable ? 'snapshot' : 'start']);
      }
    }
  });
});
