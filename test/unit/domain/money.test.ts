import { describe, expect, it } from 'vitest';
import { catalogFrom, DEFAULT_ASSETS } from '../../../src/domain/catalog.js';
import { checkAmount, checkPositiveAmount, formatAmount, parseAmount, units } from '../../../src/domain/money.js';

const BTC = catalogFrom(DEFAULT_ASSETS).get('BTC')!;

describe('parseAmount', () => {
  it.each([
    ['0', 8, 0n],
    ['1', 8, 100_000_000n],
    ['1.5', 8, 150_000_000n],
    ['0.00000001', 8, 1n],
    ['21000000.12345678', 8, 2_100_000_012_345_678n],
    ['007.10', 2, 710n],
    ['42', 0, 42n],
    ['1.000000000000000001', 18, 1_000_000_000_000_000_001n],
    ['123456789012345678901234567890', 0, 123456789012345678901234567890n],
  ])('reads %s at scale %i exactly', (text, decimals, expected) => {
    expect(parseAmount(text, decimals)).toEqual({ ok: true, units: expected });
  });

  it.each([
    ['', 8, /empty/],
    ['abc', 8, /not a plain decimal/],
    ['1e3', 8, /not a plain decimal/],
    ['-1', 8, /negative/],
    ['+1', 8, /not a plain decimal/],
    ['1.', 8, /not a plain decimal/],
    ['.5', 8, /not a plain decimal/],
    [' 1', 8, /not a plain decimal/],
    ['1 ', 8, /not a plain decimal/],
    ['1,5', 8, /not a plain decimal/],
    ['0x10', 8, /not a plain decimal/],
    ['1_000', 8, /not a plain decimal/],
    ['١', 8, /not a plain decimal/], // Arabic-Indic digit: \d must not mean "any Unicode digit"
    ['Infinity', 8, /not a plain decimal/],
    ['NaN', 8, /not a plain decimal/],
    ['1.123456789', 8, /9 decimal places, at most 8/],
    ['1.50', 1, /2 decimal places, at most 1/],
    ['1.0', 0, /at most 0/],
    ['1'.repeat(41), 0, /longer than 40/],
    ['9'.repeat(20) + '.' + '9'.repeat(20), 20, /longer than 40/],
  ])('refuses %j at scale %i', (text, decimals, reason) => {
    const parsed = parseAmount(text, decimals);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('accepts exactly 40 characters', () => {
    expect(parseAmount('9'.repeat(40), 0)).toEqual({ ok: true, units: BigInt('9'.repeat(40)) });
  });
});

describe('formatAmount', () => {
  it.each([
    [150_000_000n, 8, '1.5'],
    [10_000_000_000n, 8, '100'],
    [0n, 8, '0'],
    [1n, 8, '0.00000001'],
    [-150_000_000n, 8, '-1.5'],
    [-1n, 2, '-0.01'],
    [12345n, 0, '12345'],
    [1_000_000_000_000_000_001n, 18, '1.000000000000000001'],
  ])('writes %s at scale %i as %s', (value, decimals, expected) => {
    expect(formatAmount(value, decimals)).toBe(expected);
  });

  it('round-trips through parseAmount in canonical form', () => {
    const samples = ['0', '1', '1.5', '0.1', '0.00000001', '99999999.99999999', '1000', '10.01', '123456789.5'];
    for (const decimals of [2, 8, 18]) {
      for (const text of samples) {
        const parsed = parseAmount(text, decimals);
        if (!parsed.ok) continue; // more fractional digits than this scale holds
        expect(formatAmount(parsed.units, decimals)).toBe(text);
      }
    }
    for (const value of [0n, 1n, 7n, 10n, 100n, 123_456_789n, 10n ** 30n + 1n]) {
      for (const decimals of [0, 1, 6, 8, 18]) {
        expect(parseAmount(formatAmount(value, decimals), decimals)).toEqual({ ok: true, units: value });
      }
    }
  });

  it('drops trailing zeros and leading zeros', () => {
    expect(formatAmount(units('007.10', 2), 2)).toBe('7.1');
  });
});

describe('checkAmount', () => {
  it('accepts an amount within the limits, inclusive', () => {
    expect(checkAmount('0.00001', BTC)).toEqual({ ok: true, units: 1000n });
    expect(checkAmount('1000', BTC)).toEqual({ ok: true, units: 100_000_000_000n });
  });

  it.each([
    ['0', /greater than 0/],
    ['0.00000000', /greater than 0/],
    ['-1', /negative/],
    ['abc', /not a plain decimal/],
    ['1.123456789', /at most 8/],
    ['0.000009', /0\.000009 BTC is below the minimum of 0\.00001 BTC/],
    ['0.00000999', /below the minimum/],
    ['1000.00000001', /1000\.00000001 BTC is above the maximum of 1000 BTC/],
    ['9'.repeat(41), /longer than 40/],
  ])('refuses %s with INVALID_AMOUNT', (text, message) => {
    const checked = checkAmount(text, BTC);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.rejection.code).toBe('INVALID_AMOUNT');
      expect(checked.rejection.message).toMatch(message);
    }
  });

  it('ignores limits when the asset has none', () => {
    expect(checkAmount('0.00000001', { ...BTC, minAmount: null, maxAmount: null })).toEqual({ ok: true, units: 1n });
  });

  it('checkPositiveAmount skips the limits but not positivity or scale', () => {
    expect(checkPositiveAmount('0.00000001', BTC)).toEqual({ ok: true, units: 1n });
    expect(checkPositiveAmount('5000', BTC)).toEqual({ ok: true, units: 500_000_000_000n });
    expect(checkPositiveAmount('0', BTC).ok).toBe(false);
    expect(checkPositiveAmount('1.123456789', BTC).ok).toBe(false);
  });
});

describe('units', () => {
  it('throws on a malformed constant', () => {
    expect(() => units('1.5.5', 8)).toThrow(/invalid amount constant/);
  });
});
