import { describe, expect, it } from 'vitest';
import { canonicalDecimal, subtractDecimal } from '../../../src/app/decimal.js';
import { projectEvent } from '../../../src/app/projection.js';
import type { DomainEvent, EventEnvelope } from '../../../src/domain/events.js';
import type { ProjectionChange, StoredEvent } from '../../../src/ports.js';
import { SCHEMA_VERSIONS } from '../../../src/domain/upcast.js';

const W = 'wallet-1';
const AT = '2026-11-22T10:00:00.000Z';
const at = new Date(AT);

function stored(seq: number, version: number, event: DomainEvent, walletId: string | null = W): StoredEvent {
  const envelope = {
    id: `evt-${seq}`,
    type: event.type,
    schemaVersion: SCHEMA_VERSIONS[event.type],
    ...(walletId === null ? { assetCode: 'code' in event.data ? String(event.data.code) : 'X' } : { walletId }),
    version,
    occurredAt: AT,
    commandId: `cmd-${seq}`,
    correlationId: 'corr',
    actor: 'user-1',
    data: event.data,
  } as EventEnvelope;
  return { seq, event: envelope };
}

const touch = (seq: number, version: number): ProjectionChange => ({
  kind: 'wallet',
  id: W,
  seq,
  set: { version, updatedAt: at },
});

const entry = (seq: number, version: number, fields: Record<string, unknown>) => ({
  kind: 'entry',
  entry: { id: `evt-${seq}`, walletId: W, commandId: `cmd-${seq}`, version, occurredAt: at, seq, ...fields },
});

describe('projectEvent', () => {
  it('WalletCreated inserts an ACTIVE wallet keyed by its journal sequence', () => {
    const changes = projectEvent(stored(3, 1, { type: 'WalletCreated', data: { ownerId: 'user-1', name: 'Main' } }));
    expect(changes).toEqual([
      {
        kind: 'wallet',
        id: W,
        seq: 3,
        set: { version: 1, updatedAt: at },
        insert: { id: W, ownerId: 'user-1', name: 'Main', status: 'ACTIVE', version: 1, createdAt: at, updatedAt: at, createdSeq: 3 },
      },
    ]);
  });

  it('WalletRenamed and WalletClosed set the wallet fields with its version', () => {
    expect(projectEvent(stored(4, 2, { type: 'WalletRenamed', data: { name: 'Savings' } }))).toEqual([
      { kind: 'wallet', id: W, seq: 4, set: { name: 'Savings', version: 2, updatedAt: at } },
    ]);
    expect(projectEvent(stored(5, 3, { type: 'WalletClosed', data: {} }))).toEqual([
      { kind: 'wallet', id: W, seq: 5, set: { status: 'CLOSED', version: 3, updatedAt: at } },
    ]);
  });

  it('FundsDeposited sets the balance from the event and records a DEPOSIT entry', () => {
    const changes = projectEvent(
      stored(7, 2, {
        type: 'FundsDeposited',
        data: { asset: 'BTC', amount: '1.50', network: 'bitcoin', totalAfter: '2.5', reservedAfter: '0.75' },
      }),
    );
    expect(changes).toEqual([
      touch(7, 2),
      {
        kind: 'balance',
        seq: 7,
        balance: { walletId: W, asset: 'BTC', total: '2.5', reserved: '0.75', available: '1.75', version: 2, updatedAt: at },
      },
      entry(7, 2, { asset: 'BTC', type: 'DEPOSIT', amount: '1.5', totalAfter: '2.5', reservedAfter: '0.75', transferId: null }),
    ]);
  });

  it('FundsWithdrawn records a WITHDRAWAL entry', () => {
    const changes = projectEvent(
      stored(8, 3, { type: 'FundsWithdrawn', data: { asset: 'ETH', amount: '1', network: 'ethereum', totalAfter: '0', reservedAfter: '0' } }),
    );
    expect(changes).toEqual([
      touch(8, 3),
      { kind: 'balance', seq: 8, balance: { walletId: W, asset: 'ETH', total: '0', reserved: '0', available: '0', version: 3, updatedAt: at } },
      entry(8, 3, { asset: 'ETH', type: 'WITHDRAWAL', amount: '1', totalAfter: '0', reservedAfter: '0', transferId: null }),
    ]);
  });

  it('TransferScheduled reserves, records a RESERVE entry and inserts a SCHEDULED transfer', () => {
    const changes = projectEvent(
      stored(9, 4, {
        type: 'TransferScheduled',
        data: {
          transferId: 't-1',
          toWalletId: 'wallet-2',
          asset: 'BTC',
          amount: '0.25',
          executeAt: '2026-12-01T00:00:00.000Z',
          totalAfter: '2.5',
          reservedAfter: '1',
        },
      }),
    );
    expect(changes).toEqual([
      touch(9, 4),
      { kind: 'balance', seq: 9, balance: { walletId: W, asset: 'BTC', total: '2.5', reserved: '1', available: '1.5', version: 4, updatedAt: at } },
      entry(9, 4, { asset: 'BTC', type: 'RESERVE', amount: '0.25', totalAfter: '2.5', reservedAfter: '1', transferId: 't-1' }),
      {
        kind: 'transfer',
        id: 't-1',
        walletId: W,
        seq: 9,
        set: {},
        insert: {
          id: 't-1',
          fromWalletId: W,
          toWalletId: 'wallet-2',
          asset: 'BTC',
          amount: '0.25',
          status: 'SCHEDULED',
          executeAt: new Date('2026-12-01T00:00:00.000Z'),
          createdAt: at,
          completedAt: null,
          failureReason: null,
        },
      },
    ]);
  });

  it('TransferRescheduled moves executeAt only', () => {
    expect(
      projectEvent(stored(10, 5, { type: 'TransferRescheduled', data: { transferId: 't-1', executeAt: '2026-12-02T00:00:00.000Z' } })),
    ).toEqual([touch(10, 5), { kind: 'transfer', id: 't-1', walletId: W, seq: 10, set: { executeAt: new Date('2026-12-02T00:00:00.000Z') } }]);
  });

  it('TransferCancelled releases the reservation and cancels the transfer', () => {
    const changes = projectEvent(
      stored(11, 6, { type: 'TransferCancelled', data: { transferId: 't-1', asset: 'BTC', amount: '0.25', totalAfter: '2.5', reservedAfter: '0.75' } }),
    );
    expect(changes).toEqual([
      touch(11, 6),
      { kind: 'balance', seq: 11, balance: { walletId: W, asset: 'BTC', total: '2.5', reserved: '0.75', available: '1.75', version: 6, updatedAt: at } },
      entry(11, 6, { asset: 'BTC', type: 'RELEASE', amount: '0.25', totalAfter: '2.5', reservedAfter: '0.75', transferId: 't-1' }),
      { kind: 'transfer', id: 't-1', walletId: W, seq: 11, set: { status: 'CANCELLED', completedAt: at } },
    ]);
  });

  it('TransferDebited creates an immediate transfer as PENDING, or moves a scheduled one to PENDING', () => {
    const changes = projectEvent(
      stored(12, 7, {
        type: 'TransferDebited',
        data: { transferId: 't-2', toWalletId: 'wallet-2', asset: 'BTC', amount: '1', totalAfter: '1.5', reservedAfter: '0' },
      }),
    );
    expect(changes).toEqual([
      touch(12, 7),
      { kind: 'balance', seq: 12, balance: { walletId: W, asset: 'BTC', total: '1.5', reserved: '0', available: '1.5', version: 7, updatedAt: at } },
      entry(12, 7, { asset: 'BTC', type: 'TRANSFER_OUT', amount: '1', totalAfter: '1.5', reservedAfter: '0', transferId: 't-2' }),
      {
        kind: 'transfer',
        id: 't-2',
        walletId: W,
        seq: 12,
        set: { status: 'PENDING' },
        insert: {
          id: 't-2',
          fromWalletId: W,
          toWalletId: 'wallet-2',
          asset: 'BTC',
          amount: '1',
          status: 'PENDING',
          executeAt: null,
          createdAt: at,
          completedAt: null,
          failureReason: null,
        },
      },
    ]);
  });

  it('TransferCredited records a TRANSFER_IN entry on the destination and leaves the transfer alone', () => {
    const changes = projectEvent(
      stored(13, 2, {
        type: 'TransferCredited',
        data: { transferId: 't-2', fromWalletId: 'wallet-0', asset: 'BTC', amount: '1', totalAfter: '1', reservedAfter: '0' },
      }),
    );
    expect(changes).toEqual([
      touch(13, 2),
      { kind: 'balance', seq: 13, balance: { walletId: W, asset: 'BTC', total: '1', reserved: '0', available: '1', version: 2, updatedAt: at } },
      entry(13, 2, { asset: 'BTC', type: 'TRANSFER_IN', amount: '1', totalAfter: '1', reservedAfter: '0', transferId: 't-2' }),
    ]);
    expect(changes.some((c) => c.kind === 'transfer')).toBe(false);
  });

  it('TransferCompleted completes the transfer', () => {
    expect(projectEvent(stored(14, 8, { type: 'TransferCompleted', data: { transferId: 't-2' } }))).toEqual([
      touch(14, 8),
      { kind: 'transfer', id: 't-2', walletId: W, seq: 14, set: { status: 'COMPLETED', completedAt: at } },
    ]);
  });

  it('TransferFailed after the debit refunds; before it, releases the reservation', () => {
    const failed = (stage: 'DEBITED' | 'RESERVED') =>
      projectEvent(
        stored(15, 9, {
          type: 'TransferFailed',
          data: { transferId: 't-3', asset: 'BTC', amount: '1', reason: 'WALLET_CLOSED', reasonCode: 'UNKNOWN', stage, totalAfter: '2.5', reservedAfter: '0' },
        }),
      );
    const expected = (type: string) => [
      touch(15, 9),
      { kind: 'balance', seq: 15, balance: { walletId: W, asset: 'BTC', total: '2.5', reserved: '0', available: '2.5', version: 9, updatedAt: at } },
      entry(15, 9, { asset: 'BTC', type, amount: '1', totalAfter: '2.5', reservedAfter: '0', transferId: 't-3' }),
      { kind: 'transfer', id: 't-3', walletId: W, seq: 15, set: { status: 'FAILED', completedAt: at, failureReason: 'WALLET_CLOSED' } },
    ];
    expect(failed('DEBITED')).toEqual(expected('TRANSFER_REFUND'));
    expect(failed('RESERVED')).toEqual(expected('RELEASE'));
  });

  it('AssetRegistered yields the asset with canonical limits', () => {
    const changes = projectEvent(
      stored(1, 1, { type: 'AssetRegistered', data: { code: 'BTC', decimals: 8, networks: ['bitcoin', 'lightning'], minAmount: '0.00010', maxAmount: null } }, null),
    );
    expect(changes).toEqual([
      { kind: 'asset', asset: { code: 'BTC', decimals: 8, networks: ['bitcoin', 'lightning'], minAmount: '0.0001', maxAmount: null } },
    ]);
  });

  it('is pure: the same stored event gives equal changes every time', () => {
    const event = stored(7, 2, { type: 'FundsDeposited', data: { asset: 'BTC', amount: '1', network: 'bitcoin', totalAfter: '1', reservedAfter: '0' } });
    expect(projectEvent(event)).toEqual(projectEvent(event));
  });
});

describe('decimal strings', () => {
  it.each([
    ['1.50', '1.5'],
    ['0.000', '0'],
    ['-0.0', '0'],
    ['007.10', '7.1'],
    ['1000', '1000'],
    ['0.00000001', '0.00000001'],
  ])('canonical form of %s is %s', (input, expected) => {
    expect(canonicalDecimal(input)).toBe(expected);
  });

  it.each([
    ['2.5', '0.75', '1.75'],
    ['1', '1', '0'],
    ['0.1', '0.2', '-0.1'],
    ['123456789012345678901234567890.123456789', '0.000000001', '123456789012345678901234567890.123456788'],
    ['10', '0.00000001', '9.99999999'],
  ])('%s - %s = %s exactly', (a, b, expected) => {
    expect(subtractDecimal(a, b)).toBe(expected);
  });

  it('refuses what is not a decimal string', () => {
    expect(() => subtractDecimal('1e3', '0')).toThrow(RangeError);
    expect(() => canonicalDecimal('1.')).toThrow(RangeError);
  });
});
