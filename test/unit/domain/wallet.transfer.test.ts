import { describe, it } from 'vitest';
import type { WalletEvent } from '../../../src/domain/events.js';
import { command, created, debited, deposited, EARLIER, LATER, NOW, OTHER, scheduled, system, TRANSFER, WALLET } from './fixtures.js';
import { given } from './spec.js';

const request = (amount: string, options: { executeAt?: string; toWalletId?: string; asset?: string } = {}) =>
  command('RequestTransfer', { transferId: TRANSFER, toWalletId: options.toWalletId ?? OTHER, asset: options.asset ?? 'BTC', amount, executeAt: options.executeAt });

const funded = [created(), deposited('BTC', '2')];
const withScheduled = [...funded, scheduled('0.5', '2', '0.5')];
const withPending = [...funded, debited('0.5', '1.5')];
const closedEvent: WalletEvent = { type: 'WalletClosed', data: {} };

describe('RequestTransfer', () => {
  it('debits at once without executeAt: the money is in flight', () =>
    given(funded)
      .when(request('0.5'))
      .then({ type: 'TransferDebited', data: { transferId: TRANSFER, toWalletId: OTHER, asset: 'BTC', amount: '0.5', totalAfter: '1.5', reservedAfter: '0' } }));

  it('debits at once when executeAt is not after now', () => {
    for (const executeAt of [NOW, EARLIER]) {
      given(funded)
        .when(request('0.5', { executeAt }))
        .then({ type: 'TransferDebited', data: { transferId: TRANSFER, toWalletId: OTHER, asset: 'BTC', amount: '0.5', totalAfter: '1.5', reservedAfter: '0' } });
    }
  });

  it('reserves with executeAt in the future, normalising the time to UTC', () =>
    given(funded)
      .when(request('0.5', { executeAt: '2026-11-23T12:00:00+02:00' }))
      .then(scheduled('0.5', '2', '0.5', { executeAt: '2026-11-23T10:00:00.000Z' })));

  it('may use the whole available balance', () =>
    given(withScheduled)
      .when(request('1.5'))
      .then({ type: 'TransferDebited', data: { transferId: TRANSFER, toWalletId: OTHER, asset: 'BTC', amount: '1.5', totalAfter: '0.5', reservedAfter: '0.5' } }));

  it('refuses a transfer to the same wallet', () => given(funded).when(request('1', { toWalletId: WALLET })).thenRejects('SAME_WALLET'));
  it('refuses an unknown asset', () => given(funded).when(request('1', { asset: 'NOPE' })).thenRejects('UNKNOWN_ASSET'));

  it.each([['0'], ['-1'], ['x'], ['1.000000001'], ['0.000001'], ['1001']])('refuses the amount %j', (amount) =>
    given(funded).when(request(amount)).thenRejects('INVALID_AMOUNT'));

  it('refuses a destination that does not exist', () =>
    given(funded, { counterparty: null }).when(request('1')).thenRejects('WALLET_NOT_FOUND', OTHER));
  it('refuses a destination with no history (not created)', () =>
    given(funded, { counterparty: [] }).when(request('1')).thenRejects('WALLET_NOT_FOUND', OTHER));
  it('refuses a closed destination', () =>
    given(funded, { counterparty: [created('bob'), closedEvent] }).when(request('1')).thenRejects('WALLET_CLOSED', OTHER));

  it('refuses more than is available, reservations excluded', () =>
    given(withScheduled).when(request('1.6')).thenRejects('INSUFFICIENT_FUNDS', 'available 1.5 BTC is less than 1.6 BTC'));
  it('refuses a scheduled transfer beyond the available balance too', () =>
    given(withScheduled).when(request('1.6', { executeAt: LATER })).thenRejects('INSUFFICIENT_FUNDS'));

  it.each([['tomorrow'], ['2026-11-23'], ['2026-11-23T10:00:00'], ['2026-02-30T10:00:00Z'], ['2026-11-23T25:00:00Z'], ['']])(
    'refuses executeAt %j',
    (executeAt) => given(funded).when(request('1', { executeAt })).thenRejects('INVALID_SCHEDULE'),
  );

  it('refuses on a closed or missing source wallet', () => {
    given([created(), closedEvent]).when(request('1')).thenRejects('WALLET_CLOSED');
    given([]).when(request('1')).thenRejects('WALLET_NOT_FOUND');
  });
});

describe('CancelTransfer', () => {
  const cancel = command('CancelTransfer', { transferId: TRANSFER });

  it('releases the reservation', () =>
    given(withScheduled)
      .when(cancel)
      .then({ type: 'TransferCancelled', data: { transferId: TRANSFER, asset: 'BTC', amount: '0.5', totalAfter: '2', reservedAfter: '0' } }));

  it('refuses a transfer that is not open here', () => given(funded).when(cancel).thenRejects('TRANSFER_NOT_FOUND', TRANSFER));
  it('refuses a transfer already cancelled', () =>
    given([...withScheduled, { type: 'TransferCancelled', data: { transferId: TRANSFER, asset: 'BTC', amount: '0.5', totalAfter: '2', reservedAfter: '0' } }])
      .when(cancel)
      .thenRejects('TRANSFER_NOT_FOUND'));
  it('refuses a transfer in flight', () => given(withPending).when(cancel).thenRejects('TRANSFER_NOT_CANCELLABLE'));
});

describe('RescheduleTransfer', () => {
  const reschedule = (executeAt: string) => command('RescheduleTransfer', { transferId: TRANSFER, executeAt });

  it('moves the time', () =>
    given(withScheduled)
      .when(reschedule('2026-12-01T08:30:00Z'))
      .then({ type: 'TransferRescheduled', data: { transferId: TRANSFER, executeAt: '2026-12-01T08:30:00.000Z' } }));

  it('refuses a transfer that is not open here', () => given(funded).when(reschedule(LATER)).thenRejects('TRANSFER_NOT_FOUND'));
  it('refuses a transfer in flight', () => given(withPending).when(reschedule(LATER)).thenRejects('TRANSFER_NOT_CANCELLABLE'));
  it('refuses a time that is not in the future', () => {
    given(withScheduled).when(reschedule(NOW)).thenRejects('INVALID_SCHEDULE', /not in the future/);
    given(withScheduled).when(reschedule(EARLIER)).thenRejects('INVALID_SCHEDULE');
  });
  it('refuses a malformed time', () => given(withScheduled).when(reschedule('next week')).thenRejects('INVALID_SCHEDULE'));
});

describe('ExecuteScheduledTransfer', () => {
  const execute = (executeAt: string, now: string) => command('ExecuteScheduledTransfer', { transferId: TRANSFER, executeAt }, system({ now }));

  it('debits when due, consuming the reservation', () =>
    given(withScheduled)
      .when(execute(LATER, LATER))
      .then({ type: 'TransferDebited', data: { transferId: TRANSFER, toWalletId: OTHER, asset: 'BTC', amount: '0.5', totalAfter: '1.5', reservedAfter: '0' } }));

  it('accepts the due time in another spelling of the same instant', () =>
    given(withScheduled).when(execute('2026-11-23T11:00:00+01:00', LATER)).then(debited('0.5', '1.5')));

  it('refuses before the time', () => given(withScheduled).when(execute(LATER, NOW)).thenRejects('INVALID_SCHEDULE', /not due/));

  it('refuses a stale time after a reschedule', () =>
    given([...withScheduled, { type: 'TransferRescheduled', data: { transferId: TRANSFER, executeAt: '2026-12-01T00:00:00.000Z' } }])
      .when(execute(LATER, LATER))
      .thenRejects('INVALID_SCHEDULE', /now due at 2026-12-01/));

  it('fails and releases the reservation when the destination closed meanwhile', () =>
    given(withScheduled, { counterparty: [created('bob'), closedEvent] })
      .when(execute(LATER, LATER))
      .then({
        type: 'TransferFailed',
        data: { transferId: TRANSFER, asset: 'BTC', amount: '0.5', reason: `WALLET_CLOSED: destination wallet ${OTHER} is closed`, reasonCode: 'WALLET_CLOSED', stage: 'RESERVED', totalAfter: '2', reservedAfter: '0' },
      }));

  it('fails and releases when the destination does not exist', () =>
    given(withScheduled, { counterparty: [] }).when(execute(LATER, LATER)).then({
      type: 'TransferFailed',
      data: { transferId: TRANSFER, asset: 'BTC', amount: '0.5', reason: `WALLET_NOT_FOUND: destination wallet ${OTHER} does not exist`, reasonCode: 'WALLET_NOT_FOUND', stage: 'RESERVED', totalAfter: '2', reservedAfter: '0' },
    }));

  it('refuses a malformed time', () => given(withScheduled).when(execute('soon', LATER)).thenRejects('INVALID_SCHEDULE'));
  it('refuses a transfer not open here', () => given(funded).when(execute(LATER, LATER)).thenRejects('TRANSFER_NOT_PENDING'));
  it('refuses a transfer already running', () => given(withPending).when(execute(LATER, LATER)).thenRejects('TRANSFER_NOT_PENDING'));
});

describe('CreditTransfer (destination)', () => {
  const credit = (amount: string, asset = 'BTC') => command('CreditTransfer', { transferId: TRANSFER, fromWalletId: OTHER, asset, amount }, system());

  it('credits', () =>
    given([created(), deposited('BTC', '1')])
      .when(credit('0.25'))
      .then({ type: 'TransferCredited', data: { transferId: TRANSFER, fromWalletId: OTHER, asset: 'BTC', amount: '0.25', totalAfter: '1.25', reservedAfter: '0' } }));

  it('ignores the asset limits (they were checked at the source)', () =>
    given([created()])
      .when(credit('0.00000001'))
      .then({ type: 'TransferCredited', data: { transferId: TRANSFER, fromWalletId: OTHER, asset: 'BTC', amount: '0.00000001', totalAfter: '0.00000001', reservedAfter: '0' } }));

  it('refuses a missing destination', () => given([]).when(credit('1')).thenRejects('WALLET_NOT_FOUND'));
  it('refuses a closed destination', () => given([created(), closedEvent]).when(credit('1')).thenRejects('WALLET_CLOSED'));
  it('refuses an unknown asset', () => given([created()]).when(credit('1', 'NOPE')).thenRejects('UNKNOWN_ASSET'));
  it('refuses a malformed or non-positive amount', () => {
    given([created()]).when(credit('0')).thenRejects('INVALID_AMOUNT');
    given([created()]).when(credit('1.123456789')).thenRejects('INVALID_AMOUNT');
  });
});

describe('CompleteTransfer', () => {
  const complete = command('CompleteTransfer', { transferId: TRANSFER }, system());

  it('completes a transfer in flight', () => given(withPending).when(complete).then({ type: 'TransferCompleted', data: { transferId: TRANSFER } }));
  it('refuses a scheduled transfer', () => given(withScheduled).when(complete).thenRejects('TRANSFER_NOT_PENDING', /scheduled, not in flight/));
  it('refuses a transfer not open here (e.g. completed already)', () =>
    given([...withPending, { type: 'TransferCompleted', data: { transferId: TRANSFER } }]).when(complete).thenRejects('TRANSFER_NOT_PENDING'));
});

describe('FailTransfer', () => {
  const fail = command('FailTransfer', { transferId: TRANSFER, reason: 'destination closed' }, system());

  it('refunds a transfer in flight', () =>
    given(withPending)
      .when(fail)
      .then({
        type: 'TransferFailed',
        data: { transferId: TRANSFER, asset: 'BTC', amount: '0.5', reason: 'destination closed', reasonCode: 'UNKNOWN', stage: 'DEBITED', totalAfter: '2', reservedAfter: '0' },
      }));

  it('releases a transfer that was only reserved', () =>
    given(withScheduled)
      .when(fail)
      .then({
        type: 'TransferFailed',
        data: { transferId: TRANSFER, asset: 'BTC', amount: '0.5', reason: 'destination closed', reasonCode: 'UNKNOWN', stage: 'RESERVED', totalAfter: '2', reservedAfter: '0' },
      }));

  it('refuses a transfer not open here', () => given(funded).when(fail).thenRejects('TRANSFER_NOT_PENDING'));
  it('refuses to refund twice', () =>
    given([
      ...withPending,
      { type: 'TransferFailed', data: { transferId: TRANSFER, asset: 'BTC', amount: '0.5', reason: 'x', reasonCode: 'UNKNOWN', stage: 'DEBITED', totalAfter: '2', reservedAfter: '0' } },
    ])
      .when(fail)
      .thenRejects('TRANSFER_NOT_PENDING'));
});

describe('the balance invariant guard', () => {
  // A history no decider would write (reserved above total), as a corrupt or hand-edited journal might hold.
  const inconsistent = [...funded, scheduled('0.5', '0.2', '0.5')];

  it('refuses any event that would leave a reservation below zero or above the total', () =>
    given([created(), deposited('BTC', '2'), scheduled('0.5', '2', '0.2')])
      .when(command('CancelTransfer', { transferId: TRANSFER }))
      .thenRejects('INSUFFICIENT_FUNDS', /would become/));

  it('refuses a balance whose reservation would exceed the total, even with both non-negative', () =>
    given([
      ...funded,
      scheduled('0.5', '2', '0.5'),
      { type: 'FundsWithdrawn', data: { asset: 'BTC', amount: '1.6', network: 'bitcoin', totalAfter: '0.4', reservedAfter: '0.5' } },
    ])
      .when(command('Deposit', { asset: 'BTC', amount: '0.05' }))
      .thenRejects('INSUFFICIENT_FUNDS', /total 0\.45 BTC, reserved 0\.5 BTC/));

  it('refuses a debit that would make the total smaller than the reservation', () =>
    given(inconsistent).when(command('ExecuteScheduledTransfer', { transferId: TRANSFER, executeAt: LATER }, system({ now: LATER }))).thenRejects('INSUFFICIENT_FUNDS'));
});
