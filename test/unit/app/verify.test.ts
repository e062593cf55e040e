import { describe, expect, it } from 'vitest';
import { auditJournal, verifyJournal, type Violation } from '../../../src/app/verify.js';
import type { EventEnvelope, EventType } from '../../../src/domain/events.js';
import type { StoredEvent } from '../../../src/ports.js';

type Overrides = { version?: number; commandId?: string; id?: string; seq?: number; data?: Record<string, unknown> };

/**
 * Writes journals by hand, in whole USD so the expected figures are obvious. Each helper
 * computes `totalAfter`/`reservedAfter` the way a correct decider would; overrides corrupt one event.
 */
function journal() {
  const events: StoredEvent[] = [];
  const versions = new Map<string, number>();
  const balances = new Map<string, { total: number; reserved: number }>();
  let seq = 0;
  let commands = 0;

  const append = (aggregate: { walletId?: string; assetCode?: string }, type: EventType, data: Record<string, unknown>, o: Overrides = {}): StoredEvent => {
    const key = aggregate.walletId ?? `asset:${aggregate.assetCode}`;
    const version = o.version ?? (versions.get(key) ?? 0) + 1;
    versions.set(key, version);
    seq = o.seq ?? seq + 1;
    const commandId = o.commandId ?? `cmd-${++commands}`;
    const event = {
      id: o.id ?? `evt-${seq}`,
      type,
      ...aggregate,
      version,
      occurredAt: new Date(Date.UTC(2026, 10, 22, 10, 0, seq)).toISOString(),
      commandId,
      correlationId: commandId,
      actor: 'system',
      data: { ...data, ...o.data },
    } as EventEnvelope;
    const stored = { seq, event };
    events.push(stored);
    return stored;
  };
  const move = (walletId: string, total: number, reserved: number) => {
    const b = balances.get(walletId) ?? { total: 0, reserved: 0 };
    const after = { total: b.total + total, reserved: b.reserved + reserved };
    balances.set(walletId, after);
    return { totalAfter: String(after.total), reservedAfter: String(after.reserved) };
  };
  const usd = (amount: number) => ({ asset: 'USD', amount: String(amount) });

  return {
    events,
    asset: (o?: Overrides) =>
      append({ assetCode: 'USD' }, 'AssetRegistered', { code: 'USD', decimals: 2, networks: ['fiat'], minAmount: '0.01', maxAmount: null }, o),
    create: (w: string, o?: Overrides) => append({ walletId: w }, 'WalletCreated', { ownerId: 'alice', name: w }, o),
    close: (w: string, o?: Overrides) => append({ walletId: w }, 'WalletClosed', {}, o),
    rename: (w: string, o?: Overrides) => append({ walletId: w }, 'WalletRenamed', { name: `${w}!` }, o),
    deposit: (w: string, n: number, o?: Overrides) => append({ walletId: w }, 'FundsDeposited', { ...usd(n), network: 'fiat', ...move(w, n, 0) }, o),
    withdraw: (w: string, n: number, o?: Overrides) => append({ walletId: w }, 'FundsWithdrawn', { ...usd(n), network: 'fiat', ...move(w, -n, 0) }, o),
    schedule: (w: string, t: string, to: string, n: number, o?: Overrides) =>
      append({ walletId: w }, 'TransferScheduled', { transferId: t, toWalletId: to, ...usd(n), executeAt: '2026-11-22T11:00:00.000Z', ...move(w, 0, n) }, o),
    reschedule: (w: string, t: string, o?: Overrides) => append({ walletId: w }, 'TransferRescheduled', { transferId: t, executeAt: '2026-11-22T12:00:00.000Z' }, o),
    cancel: (w: string, t: string, n: number, o?: Overrides) => append({ walletId: w }, 'TransferCancelled', { transferId: t, ...usd(n), ...move(w, 0, -n) }, o),
    debit: (w: string, t: string, to: string, n: number, o: Overrides & { scheduled?: boolean } = {}) =>
      append({ walletId: w }, 'TransferDebited', { transferId: t, toWalletId: to, ...usd(n), ...move(w, -n, o.scheduled ? -n : 0) }, o),
    credit: (to: string, t: string, from: string, n: number, o?: Overrides) =>
      append({ walletId: to }, 'TransferCredited', { transferId: t, fromWalletId: from, ...usd(n), ...move(to, n, 0) }, o),
    complete: (w: string, t: string, o?: Overrides) => append({ walletId: w }, 'TransferCompleted', { transferId: t }, o),
    refund: (w: string, t: string, n: number, o?: Overrides) =>
      append({ walletId: w }, 'TransferFailed', { transferId: t, ...usd(n), reason: 'WALLET_CLOSED', stage: 'DEBITED', ...move(w, n, 0) }, o),
    release: (w: string, t: string, n: number, o?: Overrides) =>
      append({ walletId: w }, 'TransferFailed', { transferId: t, ...usd(n), reason: 'gone', stage: 'RESERVED', ...move(w, 0, -n) }, o),
  };
}

/** A journal with every kind of event and transfer ending, as a healthy system writes it. */
function healthy() {
  const j = journal();
  j.asset();
  j.create('A');
  j.create('B');
  j.create('C');
  j.deposit('A', 100);
  j.rename('B');
  // Immediate transfer, completed.
  j.debit('A', 't1', 'B', 30);
  j.credit('B', 't1', 'A', 30);
  j.complete('A', 't1');
  // Scheduled, rescheduled, then run.
  j.schedule('A', 't2', 'B', 10);
  j.reschedule('A', 't2');
  j.debit('A', 't2', 'B', 10, { scheduled: true });
  j.credit('B', 't2', 'A', 10);
  j.complete('A', 't2');
  // Scheduled then cancelled; another still waiting for its time.
  j.schedule('A', 't3', 'B', 5);
  j.cancel('A', 't3', 5);
  j.schedule('A', 't5', 'B', 7);
  // The destination closed while the money was in flight: refunded.
  j.close('C');
  j.debit('A', 't4', 'C', 20);
  j.refund('A', 't4', 20);
  j.withdraw('B', 15);
  return j;
}

/** Asserts the violations are exactly those described, each `[invariant, pattern]` matching one of them. */
function expectViolations(violations: Violation[], expected: Array<[number, RegExp]>) {
  for (const [invariant, pattern] of expected) {
    expect(violations, `expected a violation of invariant ${invariant} matching ${pattern}`).toContainEqual(
      expect.objectContaining({ invariant, message: expect.stringMatching(pattern) }),
    );
  }
  const all = violations.map((v) => `[${v.invariant}] ${v.message}`);
  expect(all.length, `no other violation than those expected, found:\n${all.join('\n')}`).toBe(expected.length);
}

describe('verifyJournal', () => {
  it('finds nothing wrong in a healthy journal, at rest or not', () => {
    const j = healthy();
    expect(verifyJournal(j.events)).toEqual([]);
    expect(verifyJournal(j.events, { atRest: true })).toEqual([]);
    expect(verifyJournal([])).toEqual([]);
  });

  it('sums what it saw: supply, holdings, money in flight and transfer states', () => {
    const j = healthy();
    j.debit('A', 't6', 'B', 1);
    const audit = auditJournal(j.events);
    expect(audit).toMatchObject({ events: j.events.length, lastSeq: j.events.length, wallets: 3 });
    // 100 deposited - 15 withdrawn; A holds 100 - 30 - 10 - 1 = 59, B 30 + 10 - 15 = 25, 1 in flight.
    expect(audit.assets.get('USD')).toEqual({ supply: '85', held: '84', inFlight: '1' });
    expect(audit.transfers).toEqual({ scheduled: 1, inFlight: 1, completed: 2, failed: 1, cancelled: 1 });
  });

  it('keeps decimal arithmetic exact', () => {
    const j = journal();
    j.create('A');
    j.deposit('A', 0, { data: { amount: '0.1', totalAfter: '0.1' } });
    j.deposit('A', 0, { data: { amount: '0.2', totalAfter: '0.3' } });
    j.withdraw('A', 0, { data: { amount: '0.3', totalAfter: '0.00' } });
    expect(verifyJournal(j.events, { atRest: true })).toEqual([]);
  });

  describe('invariant 1: balances never negative, versions without gaps', () => {
    it('reports a withdrawal that leaves a negative balance', () => {
      const j = journal();
      j.create('A');
      j.deposit('A', 10);
      j.withdraw('A', 15);
      expectViolations(verifyJournal(j.events), [[1, /seq 3: wallet A USD: available -5 .*negative after FundsWithdrawn/]]);
    });

    it('reports a reservation beyond the available funds, and a negative reservation', () => {
      const j = journal();
      j.create('A');
      j.create('B');
      j.deposit('A', 10);
      j.schedule('A', 't', 'B', 12);
      j.cancel('A', 't', 13, { data: { reservedAfter: '-1' } });
      expectViolations(verifyJournal(j.events), [
        [1, /seq 4: wallet A USD: available -2 \(total 10 - reserved 12\) is negative after TransferScheduled/],
        [5, /seq 5: transfer t: TransferCancelled of 13, but the transfer is for 12/],
        [1, /seq 5: wallet A USD: reserved -1 is negative after TransferCancelled/],
      ]);
    });

    it('reports a balance that does not follow from the previous one and the amount', () => {
      const j = journal();
      j.create('A');
      j.deposit('A', 10);
      j.deposit('A', 5, { data: { totalAfter: '16' } });
      expectViolations(verifyJournal(j.events), [
        [1, /seq 3: wallet A USD: FundsDeposited says total 16, but total 10 moved by 5 is 15/],
        [2, /USD: wallets hold 16 .* deposits - withdrawals = 15; first off at seq 3/],
      ]);
    });

    it('reports a gap and a repeat in an aggregate’s versions', () => {
      const j = journal();
      j.create('A');
      j.deposit('A', 10, { version: 3 });
      j.create('B');
      j.rename('B', { version: 1 });
      expectViolations(verifyJournal(j.events), [
        [1, /seq 2: wallet A: FundsDeposited skips to version 3 after version 1/],
        [1, /seq 4: wallet B: WalletRenamed repeats version 1 after version 1/],
      ]);
    });

    it('reports events out of sequence order, before creation and after closing', () => {
      const j = journal();
      j.deposit('A', 1);
      j.create('A', { version: 2 });
      j.close('B', { seq: 1, id: 'late' });
      expectViolations(verifyJournal(j.events).filter((v) => !/version/.test(v.message)), [
        [1, /seq 1: wallet A: FundsDeposited before WalletCreated/],
        [1, /seq 1: journal out of order: sequence 1 after 2/],
        [1, /seq 1: wallet B: WalletClosed before WalletCreated/],
      ]);
      const k = journal();
      k.create('A');
      k.close('A');
      k.rename('A');
      expectViolations(verifyJournal(k.events), [[1, /seq 3: wallet A: WalletRenamed after WalletClosed \(seq 2\)/]]);
    });
  });

  describe('invariant 2: conservation per asset', () => {
    it('reports money that came from nowhere', () => {
      const j = journal();
      j.create('A');
      j.create('B');
      j.deposit('A', 10);
      j.credit('B', 'ghost', 'A', 4);
      expectViolations(verifyJournal(j.events), [
        [5, /seq 4: transfer ghost: credited to B but never debited/],
        [2, /USD: wallets hold 14 and 0 is in flight \(14\), but deposits - withdrawals = 10; first off at seq 4 \(TransferCredited on wallet B\)/],
      ]);
    });

    it('reports a drift that a second error hides in the end totals', () => {
      const j = journal();
      j.create('A');
      j.deposit('A', 10);
      j.deposit('A', 5, { data: { totalAfter: '16' } });
      j.withdraw('A', 1, { data: { totalAfter: '14' } });
      const violations = verifyJournal(j.events);
      expect(violations).toContainEqual(expect.objectContaining({ invariant: 2, seq: 3, message: expect.stringMatching(/balance again by the end/) }));
    });

    it('at rest, reports money still in flight', () => {
      const j = healthy();
      j.debit('A', 't9', 'B', 3);
      expect(verifyJournal(j.events)).toEqual([]);
      expectViolations(verifyJournal(j.events, { atRest: true }), [
        [2, /USD: 3 still in flight at rest/],
        [5, /transfer t9 debited 3 USD from A but is still open at rest: never credited to B/],
      ]);
    });

    it('at rest, reports a transfer credited but never completed (nothing in flight, but not over)', () => {
      const j = healthy();
      j.debit('A', 't9', 'B', 3);
      j.credit('B', 't9', 'A', 3);
      expectViolations(verifyJournal(j.events, { atRest: true }), [[5, /transfer t9 .*credited at seq \d+ but never completed/]]);
    });
  });

  describe('invariant 4: one effect per command', () => {
    it('reports a command id with two events, and an event appended twice', () => {
      const j = journal();
      j.create('A');
      j.deposit('A', 10, { commandId: 'dep-1' });
      j.deposit('A', 10, { commandId: 'dep-1' });
      j.rename('A', { id: 'evt-2' });
      expectViolations(verifyJournal(j.events), [
        [4, /seq 3: command dep-1 had a second effect \(FundsDeposited on wallet A; its first event is seq 2\)/],
        [4, /seq 4: event id evt-2 appended twice \(first at seq 2\)/],
      ]);
    });
  });

  describe('invariant 5: one story per transfer', () => {
    const funded = () => {
      const j = journal();
      j.create('A');
      j.create('B');
      j.create('C');
      j.deposit('A', 100);
      return j;
    };

    it('reports a double credit (and the money it created)', () => {
      const j = funded();
      j.debit('A', 't', 'B', 10);
      j.credit('B', 't', 'A', 10);
      j.credit('B', 't', 'A', 10);
      j.complete('A', 't');
      expectViolations(verifyJournal(j.events, { atRest: true }), [
        [5, /seq 7: transfer t: credited twice \(first at seq 6\)/],
        [2, /USD: wallets hold 110 .*first off at seq 7/],
      ]);
    });

    it('reports a double debit', () => {
      const j = funded();
      j.debit('A', 't', 'B', 10);
      j.debit('A', 't', 'B', 10);
      j.credit('B', 't', 'A', 10);
      j.complete('A', 't');
      expectViolations(verifyJournal(j.events, { atRest: true }), [
        [5, /seq 6: transfer t: debited twice \(first at seq 5\)/],
        [2, /USD: 10 still in flight at rest/],
      ]);
    });

    it('reports a refund after the credit, and a second ending', () => {
      const j = funded();
      j.debit('A', 't', 'B', 10);
      j.credit('B', 't', 'A', 10);
      j.complete('A', 't');
      j.refund('A', 't', 10);
      expectViolations(verifyJournal(j.events), [
        [5, /seq 8: transfer t: TransferFailed after it ended \(completed at seq 7\)/],
        [5, /seq 8: transfer t: refunded although the destination was credited at seq 6/],
        [2, /USD: wallets hold 110/],
      ]);
    });

    it('reports a credit to the wrong wallet, a completion without credit, and a credit after the refund', () => {
      const j = funded();
      j.debit('A', 't', 'B', 10);
      j.credit('C', 't', 'A', 10);
      const k = funded();
      k.debit('A', 'u', 'B', 10);
      k.complete('A', 'u');
      const l = funded();
      l.debit('A', 'v', 'B', 10);
      l.refund('A', 'v', 10);
      l.credit('B', 'v', 'A', 10);
      expectViolations(verifyJournal(j.events), [[5, /transfer t: credited to C, but the transfer is to B/]]);
      expectViolations(verifyJournal(k.events), [[5, /transfer u: completed but the destination was never credited/]]);
      expectViolations(verifyJournal(l.events), [
        [5, /transfer v: TransferCredited after it ended \(failed at seq 6\)/],
        [2, /USD: wallets hold 110/],
      ]);
    });

    it('reports a cancel after the debit, and a release of a transfer that was never reserved', () => {
      const j = funded();
      j.schedule('A', 't', 'B', 10);
      j.debit('A', 't', 'B', 10, { scheduled: true });
      j.cancel('A', 't', 10, { data: { reservedAfter: '0' } });
      j.credit('B', 't', 'A', 10);
      const k = funded();
      k.release('A', 'u', 0, { data: { amount: '0' } });
      expectViolations(verifyJournal(j.events), [
        [5, /seq 7: transfer t: cancelled after it was debited at seq 6/],
        [1, /seq 7: .*TransferCancelled says reserved 0, but reserved 0 moved by -10 is -10/],
        [5, /seq 8: transfer t: TransferCredited after it ended \(cancelled at seq 7\)/],
        [2, /USD: wallets hold 100 and 10 is in flight/],
      ]);
      expectViolations(verifyJournal(k.events), [[5, /transfer u: released \(failed at stage RESERVED\) but it was not a reservation/]]);
    });
  });
});
