import { describe, expect, it } from 'vitest';
import { JournalCorruptionError } from '../../../src/app/aggregate-repository.js';
import { createLedgerService } from '../../../src/app/ledger-service.js';
import { createWalletAsOf, walletStateAsOf } from '../../../src/app/wallet-as-of.js';
import { catalogFrom } from '../../../src/domain/catalog.js';
import type { AssetDefinition } from '../../../src/domain/asset.js';
import type { EventEnvelope } from '../../../src/domain/events.js';
import { systemClock, systemIds } from '../../../src/infra/system.js';
import type { Journal, StoredEvent } from '../../../src/ports.js';
import { createFakeLedgerApp } from '../../support/fake-ledger-app.js';
import { createMemoryOutcomeStore, createRecordingBus } from '../../support/memory-ports.js';
import { aliceHistory, minutes, walletJournal } from '../../support/wallet-events.js';

const BTC: AssetDefinition = { code: 'BTC', decimals: 8, networks: ['bitcoin'], minAmount: null, maxAmount: null };
const ETH: AssetDefinition = { code: 'ETH', decimals: 18, networks: ['ethereum'], minAmount: null, maxAmount: null };
const catalog = catalogFrom([BTC, ETH]);
const history = aliceHistory('w1');
const asOf = (cut: Parameters<typeof walletStateAsOf>[2]) => walletStateAsOf('w1', history, cut, catalog);
const at = (date: Date) => asOf({ kind: 'at', at: date });
const version = (v: number) => asOf({ kind: 'version', version: v });
const justBefore = (date: Date) => new Date(date.getTime() - 1);

const btc = (total: string, reserved: string, available: string, v: number, minute: number) => ({
  walletId: 'w1',
  asset: 'BTC',
  total,
  reserved,
  available,
  version: v,
  updatedAt: minutes(minute),
});

describe('walletStateAsOf', () => {
  it('is null before the wallet existed: an instant before its creation, or version 0', () => {
    expect(at(justBefore(minutes(0)))).toBeNull();
    expect(version(0)).toBeNull();
    expect(walletStateAsOf('w1', [], { kind: 'version', version: 1 }, catalog)).toBeNull();
  });

  it('is null for a version the wallet has not reached; an instant after its last event is the current state', () => {
    expect(version(10)).toBeNull();
    expect(at(minutes(60 * 24 * 365))).toEqual(version(9));
    expect(version(9)).toMatchObject({ version: 9, status: 'CLOSED', name: 'Renamed', occurredAt: minutes(6) });
  });

  it('includes every event at the instant itself, and none after it', () => {
    expect(at(minutes(0))).toEqual({ walletId: 'w1', ownerId: 'alice', name: 'Main', status: 'ACTIVE', version: 1, occurredAt: minutes(0), balances: [] });
    // Versions 4 and 5 happened in the same millisecond: both or neither.
    expect(at(justBefore(minutes(3)))).toMatchObject({ version: 3, name: 'Renamed', balances: [btc('1.5', '0', '1.5', 2, 1)] });
    expect(at(minutes(3))).toEqual({
      walletId: 'w1',
      ownerId: 'alice',
      name: 'Renamed',
      status: 'ACTIVE',
      version: 5,
      occurredAt: minutes(3),
      balances: [
        btc('1.5', '0.5', '1', 4, 3),
        // Exact in the asset's own scale: 18 decimals survive.
        { walletId: 'w1', asset: 'ETH', total: '10.000000000000000001', reserved: '0', available: '10.000000000000000001', version: 5, updatedAt: minutes(3) },
      ],
    });
  });

  it('after a version: each balance carries the version and time of the event that last changed it', () => {
    expect(version(6)?.balances).toEqual([
      btc('1.5', '0', '1.5', 6, 4),
      { walletId: 'w1', asset: 'ETH', total: '10.000000000000000001', reserved: '0', available: '10.000000000000000001', version: 5, updatedAt: minutes(3) },
    ]);
    // Emptied balances stay, at zero, as the read model keeps them.
    expect(version(9)?.balances.map((b) => [b.asset, b.total, b.version])).toEqual([
      ['BTC', '0', 7],
      ['ETH', '0', 8],
    ]);
  });

  it('refuses to fold a history with a missing version', () => {
    const gap = history.filter((s) => s.event.version !== 3);
    expect(() => walletStateAsOf('w1', gap, { kind: 'version', version: 9 }, catalog)).toThrow(JournalCorruptionError);
  });
});

/** A journal whose asset catalog can grow between reads. */
function memoryJournal(events: StoredEvent[], assets: AssetDefinition[]) {
  let assetReads = 0;
  const journal: Journal = {
    read: async (ref, afterSeq = 0) => events.filter((s) => s.event.walletId === ref.id && s.seq > afterSeq),
    readAssets: async () => {
      assetReads++;
      return assets.map((a, i) => ({
        seq: 1_000 + i,
        event: { id: a.code, type: 'AssetRegistered', assetCode: a.code, version: 1, occurredAt: minutes(0).toISOString(), commandId: a.code, correlationId: a.code, actor: 'system', schemaVersion: 1, data: { ...a, minAmount: null, maxAmount: null } } as EventEnvelope,
      }));
    },
    eventAt: async () => null,
    append: async () => {
      throw new Error('read only');
    },
  };
  return { journal, assetReads: () => assetReads };
}

describe('createWalletAsOf over the Journal port', () => {
  it('reads the catalog once, and again when an event names an asset registered since', async () => {
    const assets = [BTC];
    const j = memoryJournal(aliceHistory('w1'), assets);
    const walletAsOf = createWalletAsOf({ journal: j.journal });
    expect((await walletAsOf('w1', { kind: 'version', version: 2 }))?.balances.map((b) => b.total)).toEqual(['1.5']);
    expect(j.assetReads()).toBe(1);
    assets.push(ETH);
    expect((await walletAsOf('w1', { kind: 'version', version: 5 }))?.balances.map((b) => b.asset)).toEqual(['BTC', 'ETH']);
    expect(j.assetReads()).toBe(2);
    await walletAsOf('w1', { kind: 'version', version: 9 });
    expect(j.assetReads()).toBe(2);
    expect(await walletAsOf('nope', { kind: 'version', version: 1 })).toBeNull();
  });
});

describe('LedgerApp.walletAsOf', () => {
  const app = () => {
    const events = [...aliceHistory('w1'), ...walletJournal('w2', [[0, { type: 'WalletCreated', data: { ownerId: 'bob', name: 'Bob' } }]], 100)];
    const outcomes = createMemoryOutcomeStore();
    const fake = createFakeLedgerApp();
    return createLedgerService({
      bus: createRecordingBus(outcomes, () => null),
      outcomes,
      read: fake.read,
      live: fake.live,
      journal: memoryJournal(events, [BTC, ETH]).journal,
      topology: { shards: 4 },
      clock: systemClock,
      ids: systemIds,
    });
  };
  const cut = { kind: 'version', version: 1 } as const;

  it("answers the owner and admins; someone else's wallet gets the same answer as an unknown id", async () => {
    const ledger = app();
    expect(await ledger.walletAsOf({ principal: { sub: 'alice', admin: false }, walletId: 'w1', cut })).toMatchObject({ name: 'Main' });
    expect(await ledger.walletAsOf({ principal: { sub: 'root', admin: true }, walletId: 'w2', cut })).toMatchObject({ name: 'Bob' });
    const foreign = await ledger.walletAsOf({ principal: { sub: 'alice', admin: false }, walletId: 'w2', cut });
    const unknown = await ledger.walletAsOf({ principal: { sub: 'alice', admin: false }, walletId: 'w3', cut });
    expect(foreign).toBeNull();
    expect(foreign).toEqual(unknown);
  });
});
