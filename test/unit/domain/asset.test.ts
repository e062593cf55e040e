import { describe, expect, it } from 'vitest';
import { catalogFromEvents, decideAsset, evolveAsset, initialAssetState, type AssetState } from '../../../src/domain/asset.aggregate.js';
import { catalogFrom, DEFAULT_ASSETS, registrationOf } from '../../../src/domain/catalog.js';
import type { RegisterAsset } from '../../../src/domain/commands.js';
import type { AssetEventEnvelope, EventEnvelope } from '../../../src/domain/events.js';
import type { RejectionCode } from '../../../src/domain/rejection.js';
import { envelope as walletEnvelope, deposited, meta } from './fixtures.js';

const register = (data: Partial<RegisterAsset['data']> = {}, metadata = { actor: 'root', admin: true }): RegisterAsset => ({
  type: 'RegisterAsset',
  data: { code: 'SOL', decimals: 9, networks: ['solana'], minAmount: '0.001', maxAmount: '100000', ...data },
  metadata: meta(metadata),
});

const assetEnvelope = (event: { type: 'AssetRegistered'; data: RegisterAssetEventData }, version = 1): AssetEventEnvelope => ({
  id: `a-${event.data.code}-${version}`,
  type: event.type,
  assetCode: event.data.code,
  version,
  schemaVersion: 1,
  occurredAt: '2026-11-22T10:00:00.000Z',
  commandId: 'c',
  correlationId: 'c',
  actor: 'system',
  data: event.data,
});
type RegisterAssetEventData = Extract<ReturnType<typeof decideAsset>, { kind: 'accepted' }>['event']['data'];

const rejects = (command: RegisterAsset, code: RejectionCode, message?: RegExp, state: AssetState = initialAssetState(command.data.code)) => {
  const decision = decideAsset(command, state);
  expect(decision.kind).toBe('rejected');
  if (decision.kind === 'rejected') {
    expect(decision.rejection.code).toBe(code);
    if (message) expect(decision.rejection.message).toMatch(message);
  }
};

describe('decideAsset', () => {
  it('registers with limits in canonical form', () => {
    expect(decideAsset(register({ minAmount: '0.0010', maxAmount: '100000.000' }), initialAssetState('SOL'))).toEqual({
      kind: 'accepted',
      event: { type: 'AssetRegistered', data: { code: 'SOL', decimals: 9, networks: ['solana'], minAmount: '0.001', maxAmount: '100000' } },
    });
  });

  it('registers without limits', () => {
    const decision = decideAsset(register({ minAmount: undefined, maxAmount: undefined, decimals: 0 }), initialAssetState('SOL'));
    expect(decision).toMatchObject({ kind: 'accepted', event: { data: { decimals: 0, minAmount: null, maxAmount: null } } });
  });

  it('lets the system register (the default catalog at first start)', () => {
    expect(decideAsset(register({}, { actor: 'system', admin: false }), initialAssetState('SOL')).kind).toBe('accepted');
  });

  it('refuses a user who is not an admin', () => rejects(register({}, { actor: 'alice', admin: false }), 'FORBIDDEN'));

  it('refuses a code registered already', () => {
    const registered = decideAsset(register(), initialAssetState('SOL'));
    if (registered.kind !== 'accepted') throw new Error('setup');
    const state = evolveAsset(initialAssetState('SOL'), assetEnvelope(registered.event));
    expect(state.version).toBe(1);
    rejects(register(), 'ASSET_EXISTS', /SOL is already registered/, state);
  });

  it.each([
    [{ code: 'sol' }, /asset code "sol"/],
    [{ code: 'S' }, /asset code/],
    [{ code: '1SOL' }, /asset code/],
    [{ code: 'ABCDEFGHIJKLM' }, /asset code/],
    [{ code: 'SO-L' }, /asset code/],
    [{ decimals: -1 }, /decimals .* not -1/],
    [{ decimals: 19 }, /from 0 to 18/],
    [{ decimals: 2.5 }, /whole number/],
    [{ networks: [] }, /1 to 10 networks, not 0/],
    [{ networks: Array.from({ length: 11 }, (_, i) => `n${i}`) }, /not 11/],
    [{ networks: ['Solana'] }, /network "Solana"/],
    [{ networks: ['-sol'] }, /network "-sol"/],
    [{ networks: ['a'.repeat(33)] }, /network/],
    [{ networks: ['solana', 'solana'] }, /solana is listed twice/],
    [{ minAmount: '0.0000000001' }, /minAmount is invalid: .*at most 9/],
    [{ minAmount: '0' }, /minAmount must be greater than 0/],
    [{ maxAmount: '-5' }, /maxAmount is invalid/],
    [{ maxAmount: '1e9' }, /maxAmount is invalid/],
    [{ minAmount: '10', maxAmount: '1' }, /minAmount 10 is above maxAmount 1/],
    [{ minAmount: '1.000000001', maxAmount: '1' }, /is above maxAmount/],
  ] as const)('refuses %j', (data, message) => rejects(register(data as Partial<RegisterAsset['data']>), 'INVALID_ASSET', message));

  it('accepts min equal to max and the edge values of each rule', () => {
    const decision = decideAsset(
      register({ code: 'A1', decimals: 18, networks: Array.from({ length: 10 }, (_, i) => `n-${i}`), minAmount: '5', maxAmount: '5' }),
      initialAssetState('A1'),
    );
    expect(decision.kind).toBe('accepted');
  });
});

describe('catalog', () => {
  it('holds the default assets with their limits as decimals', () => {
    const catalog = catalogFrom(DEFAULT_ASSETS);
    expect([...catalog.keys()]).toEqual(['BTC', 'ETH', 'USDT', 'USD']);
    expect(catalog.get('BTC')).toEqual({ code: 'BTC', decimals: 8, networks: ['bitcoin'], minAmount: 1000n, maxAmount: 100_000_000_000n });
    expect(registrationOf(catalog.get('ETH')!)).toEqual({ code: 'ETH', decimals: 18, networks: ['ethereum'], minAmount: '0.0001', maxAmount: '10000' });
    expect(registrationOf(catalog.get('USDT')!)).toMatchObject({ networks: ['ethereum', 'tron'], minAmount: '0.01', maxAmount: '10000000' });
    expect(registrationOf(catalog.get('USD')!)).toEqual({ code: 'USD', decimals: 2, networks: ['fiat'], minAmount: '0.01', maxAmount: '10000000' });
  });

  it('rebuilds from the journal exactly what the registrations said', () => {
    const envelopes: EventEnvelope[] = DEFAULT_ASSETS.map((asset, i) => {
      const decision = decideAsset({ type: 'RegisterAsset', data: registrationOf(asset), metadata: meta({ actor: 'system' }) }, initialAssetState(asset.code));
      if (decision.kind !== 'accepted') throw new Error(`default asset ${asset.code} refused: ${decision.rejection.message}`);
      return assetEnvelope(decision.event, i + 1);
    });
    envelopes.push(walletEnvelope(deposited('BTC', '1'), 1)); // not an asset event: ignored
    expect(catalogFromEvents(envelopes)).toEqual(catalogFrom(DEFAULT_ASSETS));
  });

  it('keeps the first registration of a code', () => {
    const first = assetEnvelope({ type: 'AssetRegistered', data: { code: 'X1', decimals: 2, networks: ['a'], minAmount: null, maxAmount: null } });
    const second = assetEnvelope({ type: 'AssetRegistered', data: { code: 'X1', decimals: 8, networks: ['b'], minAmount: null, maxAmount: null } }, 2);
    expect(catalogFromEvents([first, second]).get('X1')?.decimals).toBe(2);
  });
});
