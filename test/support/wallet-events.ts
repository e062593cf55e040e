/** Hand-written wallet journals for unit tests of time travel: envelopes with consecutive versions. */
import type { EventEnvelope, WalletEvent } from '../../src/domain/events.js';
import type { StoredEvent } from '../../src/ports.js';

export const T0 = Date.parse('2030-01-01T00:00:00.000Z');
export const minutes = (n: number): Date => new Date(T0 + n * 60_000);

/** Events of one wallet, one per [minute, event], versions 1, 2, 3 … and journal sequences from `firstSeq`. */
export function walletJournal(walletId: string, events: readonly (readonly [number, WalletEvent])[], firstSeq = 1): StoredEvent[] {
  return events.map(([minute, event], i) => ({
    seq: firstSeq + i,
    event: {
      id: `${walletId}-e${i + 1}`,
      type: event.type,
      walletId,
      version: i + 1,
      occurredAt: minutes(minute).toISOString(),
      commandId: `${walletId}-c${i + 1}`,
      correlationId: `${walletId}-c${i + 1}`,
      actor: 'alice',
      data: event.data,
    } as EventEnvelope,
  }));
}

/**
 * alice's wallet: created, funded in BTC, renamed, a transfer scheduled and cancelled (reserving
 * and releasing), USD deposited in the same minute as the reservation, emptied, closed.
 */
export const aliceHistory = (walletId = 'wallet-a1'): StoredEvent[] =>
  walletJournal(walletId, [
    [0, { type: 'WalletCreated', data: { ownerId: 'alice', name: 'Main' } }],
    [1, { type: 'FundsDeposited', data: { asset: 'BTC', amount: '1.5', network: 'bitcoin', totalAfter: '1.5', reservedAfter: '0' } }],
    [2, { type: 'WalletRenamed', data: { name: 'Renamed' } }],
    [3, { type: 'TransferScheduled', data: { transferId: 't1', toWalletId: 'w2', asset: 'BTC', amount: '0.5', executeAt: minutes(60).toISOString(), totalAfter: '1.5', reservedAfter: '0.5' } }],
    [3, { type: 'FundsDeposited', data: { asset: 'ETH', amount: '10.000000000000000001', network: 'ethereum', totalAfter: '10.000000000000000001', reservedAfter: '0' } }],
    [4, { type: 'TransferCancelled', data: { transferId: 't1', asset: 'BTC', amount: '0.5', totalAfter: '1.5', reservedAfter: '0' } }],
    [5, { type: 'FundsWithdrawn', data: { asset: 'BTC', amount: '1.5', network: 'bitcoin', totalAfter: '0', reservedAfter: '0' } }],
    [5, { type: 'FundsWithdrawn', data: { asset: 'ETH', amount: '10.000000000000000001', network: 'ethereum', totalAfter: '0', reservedAfter: '0' } }],
    [6, { type: 'WalletClosed', data: {} }],
  ]);
