import { describe, expect, it } from 'vitest';
import { catalogFrom, DEFAULT_ASSETS } from '../../../src/domain/catalog.js';
import { evolveWallet, UnreadableEventError } from '../../../src/domain/wallet.evolve.js';
import { availableOf, balanceOf, initialWalletState } from '../../../src/domain/wallet.state.js';
import { ALICE, created, debited, deposited, envelope, LATER, OTHER, scheduled, TRANSFER, WALLET } from './fixtures.js';
import { CATALOG, stateOf } from './spec.js';

describe('evolveWallet', () => {
  it('starts from nothing', () => {
    const state = initialWalletState(WALLET);
    expect(state).toMatchObject({ exists: false, id: WALLET, version: 0 });
    expect(state.balances.size).toBe(0);
  });

  it('takes identity, name and status from the events and the version from the envelope', () => {
    const state = stateOf([created(ALICE, 'Main'), { type: 'WalletRenamed', data: { name: 'Travel' } }, { type: 'WalletClosed', data: {} }]);
    expect(state).toMatchObject({ exists: true, ownerId: ALICE, name: 'Travel', status: 'CLOSED', version: 3 });
  });

  it('sets balances from totalAfter/reservedAfter, in base units of the asset', () => {
    const state = stateOf([created(), deposited('BTC', '1.5'), deposited('ETH', '0.000000000000000001', '0.000000000000000001', '0', 'ethereum')]);
    expect(balanceOf(state, 'BTC')).toEqual({ total: 150_000_000n, reserved: 0n });
    expect(balanceOf(state, 'ETH')).toEqual({ total: 1n, reserved: 0n });
    expect(balanceOf(state, 'USD')).toEqual({ total: 0n, reserved: 0n });
  });

  it('tracks a transfer from scheduled to in flight to done, then forgets it', () => {
    const history = [created(), deposited('BTC', '2'), scheduled('0.5', '2', '0.5')];
    const reserved = stateOf(history);
    expect(reserved.openTransfers.get(TRANSFER)).toEqual({ status: 'SCHEDULED', toWalletId: OTHER, asset: 'BTC', amount: 50_000_000n, executeAt: LATER });
    expect(availableOf(balanceOf(reserved, 'BTC'))).toBe(150_000_000n);

    const moved = '2026-12-01T00:00:00.000Z';
    const rescheduled = stateOf([...history, { type: 'TransferRescheduled', data: { transferId: TRANSFER, executeAt: moved } }]);
    expect(rescheduled.openTransfers.get(TRANSFER)?.executeAt).toBe(moved);

    const running = stateOf([...history, debited('0.5', '1.5')]);
    expect(running.openTransfers.get(TRANSFER)).toMatchObject({ status: 'PENDING', executeAt: LATER });
    expect(balanceOf(running, 'BTC')).toEqual({ total: 150_000_000n, reserved: 0n });

    const done = stateOf([...history, debited('0.5', '1.5'), { type: 'TransferCompleted', data: { transferId: TRANSFER } }]);
    expect(done.openTransfers.size).toBe(0);
  });

  it('keeps the state bounded: finished transfers leave it', () => {
    const events = [created(), deposited('BTC', '1000')];
    let total = 1000n;
    for (let i = 0; i < 200; i++) {
      const transferId = `t-${i}`;
      total -= 1n;
      events.push(debited('1', total.toString(), '0', { transferId }));
      events.push(
        i % 2 === 0
          ? { type: 'TransferCompleted', data: { transferId } }
          : { type: 'TransferFailed', data: { transferId, asset: 'BTC', amount: '1', reason: 'x', reasonCode: 'UNKNOWN', stage: 'DEBITED', totalAfter: (++total).toString(), reservedAfter: '0' } },
      );
    }
    const state = stateOf(events);
    expect(state.openTransfers.size).toBe(0);
    expect(state.version).toBe(402);
    expect(balanceOf(state, 'BTC').total).toBe(900n * 100_000_000n); // 100 completed, 100 refunded
  });

  it('does not change the state it was given', () => {
    const before = stateOf([created()]);
    const after = evolveWallet(before, envelope(deposited('BTC', '1'), 2), CATALOG);
    expect(before.balances.size).toBe(0);
    expect(before.version).toBe(1);
    expect(after.balances.size).toBe(1);
  });

  it('refuses to guess when the catalog does not know the asset', () => {
    const before = stateOf([created()]);
    const noBtc = catalogFrom(DEFAULT_ASSETS.filter((a) => a.code !== 'BTC'));
    expect(() => evolveWallet(before, envelope(deposited('BTC', '1'), 2), noBtc)).toThrow(UnreadableEventError);
    expect(() => evolveWallet(before, envelope(deposited('BTC', '1.123456789'), 2), CATALOG)).toThrow(/decimal places/);
  });
});
