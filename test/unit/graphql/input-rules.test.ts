/**
 * The GraphQL edge and the domain apply the same input rules (src/domain/limits.ts): whatever the
 * edge lets through the domain accepts, and whatever the domain refuses for its shape the edge
 * already refuses. (They once differed: 30 decimals and 16 networks at the edge, 18 and 10 inside.)
 */
import { describe, expect, it } from 'vitest';
import { decideAsset, initialAssetState } from '../../../src/domain/asset.aggregate.js';
import { MAX_DECIMALS, MAX_NETWORKS } from '../../../src/domain/limits.js';
import { checkName } from '../../../src/domain/wallet.rules.js';
import { parseDateTime, parseDecimal } from '../../../src/graphql/scalars.js';
import { nameSchema, registerAssetInput } from '../../../src/graphql/validation.js';
import { parseInstant } from '../../../src/domain/instant.js';
import { parseAmount } from '../../../src/domain/money.js';

const metadata = { commandId: 'c', correlationId: 'c', actor: 'root', admin: true, now: '2030-01-01T00:00:00.000Z' };
const domainAccepts = (data: { code: string; decimals: number; networks: string[] }): boolean =>
  decideAsset({ type: 'RegisterAsset', data, metadata }, initialAssetState(data.code)).kind === 'accepted';
const edgeAccepts = (data: { code: string; decimals: number; networks: string[] }): boolean => registerAssetInput.safeParse(data).success;

const networks = (n: number) => Array.from({ length: n }, (_, i) => `net-${i}`);

describe('registerAsset', () => {
  it.each([
    { code: 'DOGE', decimals: MAX_DECIMALS, networks: ['dogecoin'] },
    { code: 'DOGE', decimals: MAX_DECIMALS + 1, networks: ['dogecoin'] },
    { code: 'DOGE', decimals: 30, networks: ['dogecoin'] },
    { code: 'DOGE', decimals: -1, networks: ['dogecoin'] },
    { code: 'DOGE', decimals: 8, networks: networks(MAX_NETWORKS) },
    { code: 'DOGE', decimals: 8, networks: networks(MAX_NETWORKS + 1) },
    { code: 'DOGE', decimals: 8, networks: networks(16) },
    { code: 'DOGE', decimals: 8, networks: [] },
    { code: 'DOGE', decimals: 8, networks: ['0chain'] },
    { code: 'DOGE', decimals: 8, networks: ['-chain'] },
    { code: 'DOGE', decimals: 8, networks: ['Chain'] },
    { code: 'DOGE', decimals: 8, networks: ['a', 'a'] },
    { code: 'doge', decimals: 8, networks: ['a'] },
    { code: 'D', decimals: 8, networks: ['a'] },
    { code: 'DOGECOINTOKEN', decimals: 8, networks: ['a'] },
  ])('edge and domain agree on %j', (data) => {
    expect(edgeAccepts(data)).toBe(domainAccepts(data));
  });
});

describe('names, amounts and instants', () => {
  it.each(['Main', '  padded  ', '', '   ', 'x'.repeat(100), 'x'.repeat(101), '😀'.repeat(100), 'tab\there'])('a wallet name %j', (name) => {
    expect(nameSchema.safeParse(name).success).toBe(checkName(name).ok);
  });

  it.each(['1', '0.5', '-1', '1e5', '1.', '.5', ' 1', '1'.repeat(41), '0'])('an amount %j has the same shape at the edge and inside', (amount) => {
    const edge = (() => {
      try {
        return parseDecimal(amount) === amount;
      } catch {
        return false;
      }
    })();
    // The edge checks the shape; the domain also checks the scale, so use the widest one.
    expect(edge).toBe(parseAmount(amount, 40).ok);
  });

  it.each(['2030-01-01T00:00:00Z', '2030-02-30T00:00:00Z', '2030-01-01T00:00Z', '2030-01-01', '2030-01-01T00:00:00+02:00', '2031-02-29T12:00:00Z'])('a DateTime %j', (text) => {
    const edge = (() => {
      try {
        return parseDateTime(text).getTime();
      } catch {
        return null;
      }
    })();
    expect(edge).toBe(parseInstant(text));
  });
});
