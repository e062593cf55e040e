import { describe, it } from 'vitest';
import { catalogFrom, DEFAULT_ASSETS } from '../../../src/domain/catalog.js';
import { command, created, deposited, scheduled } from './fixtures.js';
import { given } from './spec.js';

const deposit = (asset: string, amount: string, network?: string) => command('Deposit', { asset, amount, network });
const withdraw = (asset: string, amount: string, network?: string) => command('Withdraw', { asset, amount, network });

describe('Deposit', () => {
  it('credits the first network by default and reports the balance after', () =>
    given([created(), deposited('BTC', '1')])
      .when(deposit('BTC', '0.5'))
      .then({ type: 'FundsDeposited', data: { asset: 'BTC', amount: '0.5', network: 'bitcoin', totalAfter: '1.5', reservedAfter: '0' } }));

  it('accepts another network of the asset', () =>
    given([created()])
      .when(deposit('USDT', '25.10', 'tron'))
      .then({ type: 'FundsDeposited', data: { asset: 'USDT', amount: '25.1', network: 'tron', totalAfter: '25.1', reservedAfter: '0' } }));

  it('keeps a reservation in the balance it reports', () =>
    given([created(), deposited('BTC', '2'), scheduled('0.5', '2', '0.5')])
      .when(deposit('BTC', '1'))
      .then({ type: 'FundsDeposited', data: { asset: 'BTC', amount: '1', network: 'bitcoin', totalAfter: '3', reservedAfter: '0.5' } }));

  it('adds 18-decimal amounts exactly', () =>
    given([created(), deposited('ETH', '0.100000000000000001', '0.100000000000000001', '0', 'ethereum')])
      .when(deposit('ETH', '0.200000000000000002'))
      .then({
        type: 'FundsDeposited',
        data: { asset: 'ETH', amount: '0.200000000000000002', network: 'ethereum', totalAfter: '0.300000000000000003', reservedAfter: '0' },
      }));

  it('refuses an asset that is not registered', () =>
    given([created()]).when(deposit('DOGE', '1')).thenRejects('UNKNOWN_ASSET', /DOGE is not registered/));

  it('refuses a network the asset is not on', () =>
    given([created()]).when(deposit('BTC', '1', 'ethereum')).thenRejects('UNSUPPORTED_NETWORK', /BTC .* ethereum; use one of bitcoin/));

  it('refuses when an asset has no network at all', () =>
    given([created()], { assets: catalogFrom([{ ...DEFAULT_ASSETS[0]!, networks: [] }]) })
      .when(deposit('BTC', '1'))
      .thenRejects('UNSUPPORTED_NETWORK'));

  it.each([
    ['0', /greater than 0/],
    ['-1', /negative/],
    ['abc', /not a plain decimal/],
    ['1e3', /not a plain decimal/],
    ['1.123456789', /at most 8/],
    ['0.000001', /below the minimum of 0\.00001 BTC/],
    ['1000.1', /above the maximum of 1000 BTC/],
  ])('refuses the amount %j', (amount, message) =>
    given([created()]).when(deposit('BTC', amount)).thenRejects('INVALID_AMOUNT', message));

  it('refuses on a closed wallet', () =>
    given([created(), { type: 'WalletClosed', data: {} }]).when(deposit('BTC', '1')).thenRejects('WALLET_CLOSED'));
  it('refuses on a missing wallet', () => given([]).when(deposit('BTC', '1')).thenRejects('WALLET_NOT_FOUND'));
});

describe('Withdraw', () => {
  it('debits the balance', () =>
    given([created(), deposited('BTC', '2')])
      .when(withdraw('BTC', '0.5'))
      .then({ type: 'FundsWithdrawn', data: { asset: 'BTC', amount: '0.5', network: 'bitcoin', totalAfter: '1.5', reservedAfter: '0' } }));

  it('may empty the balance exactly', () =>
    given([created(), deposited('USD', '10.5', '10.5', '0', 'fiat')])
      .when(withdraw('USD', '10.50'))
      .then({ type: 'FundsWithdrawn', data: { asset: 'USD', amount: '10.5', network: 'fiat', totalAfter: '0', reservedAfter: '0' } }));

  it('refuses more than is available', () =>
    given([created(), deposited('BTC', '1.5')]).when(withdraw('BTC', '2')).thenRejects('INSUFFICIENT_FUNDS', 'available 1.5 BTC is less than 2 BTC'));

  it('refuses one base unit more than is available', () =>
    given([created(), deposited('BTC', '1.5')])
      .when(withdraw('BTC', '1.50000001'))
      .thenRejects('INSUFFICIENT_FUNDS', 'available 1.5 BTC is less than 1.50000001 BTC'));

  it('does not count reserved money as available', () =>
    given([created(), deposited('BTC', '2'), scheduled('1.5', '2', '1.5')])
      .when(withdraw('BTC', '1'))
      .thenRejects('INSUFFICIENT_FUNDS', 'available 0.5 BTC is less than 1 BTC'));

  it('refuses an asset never held', () =>
    given([created()]).when(withdraw('ETH', '1')).thenRejects('INSUFFICIENT_FUNDS', 'available 0 ETH is less than 1 ETH'));

  it('checks asset, network and amount like a deposit', () => {
    given([created()]).when(withdraw('XYZ', '1')).thenRejects('UNKNOWN_ASSET');
    given([created()]).when(withdraw('USD', '1', 'bitcoin')).thenRejects('UNSUPPORTED_NETWORK');
    given([created(), deposited('USD', '100', '100', '0', 'fiat')]).when(withdraw('USD', '0.001')).thenRejects('INVALID_AMOUNT');
    given([created(), deposited('USD', '100', '100', '0', 'fiat')]).when(withdraw('USD', '0')).thenRejects('INVALID_AMOUNT');
  });

  it('refuses on a closed wallet', () =>
    given([created(), { type: 'WalletClosed', data: {} }]).when(withdraw('BTC', '1')).thenRejects('WALLET_CLOSED'));
  it('refuses on a missing wallet', () => given([]).when(withdraw('BTC', '1')).thenRejects('WALLET_NOT_FOUND'));
});
