import type { AssetDefinition } from './asset.js';
import { MAX_AMOUNT_LENGTH, PLAIN_DECIMAL } from './limits.js';
import { reject, type Rejection } from './rejection.js';

/**
 * Exact decimal amounts. Inside the domain an amount is a bigint count of the asset's base units
 * (1 BTC = 100000000 units at 8 decimals); outside it is a plain decimal string. Nothing here
 * ever passes through a JS number, so no amount can lose a digit.
 */

export type ParsedAmount = { ok: true; units: bigint } | { ok: false; reason: string };

/**
 * Parses a plain decimal string ("1.5", "100", "0.00000001") into base units of a `decimals` scale.
 * Deliberately strict: no sign, exponent, spaces, or bare "1." / ".5", and no more fractional
 * digits than the scale holds (not even trailing zeros), so one input has exactly one meaning.
 * Zero parses; whether zero is acceptable is the caller's decision.
 */
export const parseAmount = (text: string, decimals: number): ParsedAmount => {
  if (!Number.isInteger(decimals) || decimals < 0) return { ok: false, reason: `the scale ${decimals} is not a whole number >= 0` };
  if (text.length === 0) return { ok: false, reason: 'the amount is empty' };
  if (text.length > MAX_AMOUNT_LENGTH) return { ok: false, reason: `the amount is longer than ${MAX_AMOUNT_LENGTH} characters` };
  if (text.startsWith('-')) return { ok: false, reason: `${text} is negative` };
  const match = PLAIN_DECIMAL.exec(text);
  if (!match) return { ok: false, reason: `"${text}" is not a plain decimal number such as 1.5` };
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    return { ok: false, reason: `${text} has ${fraction.length} decimal places, at most ${decimals} allowed` };
  }
  return { ok: true, units: BigInt(whole + fraction.padEnd(decimals, '0')) };
};

/** The canonical form: no leading zeros, no trailing fractional zeros, no "." without digits after it. */
export const formatAmount = (units: bigint, decimals: number): string => {
  const sign = units < 0n ? '-' : '';
  const digits = (units < 0n ? -units : units).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
};

/** "1.5 BTC": how amounts read in rejection messages. */
export const describeAmount = (units: bigint, asset: AssetDefinition): string => `${formatAmount(units, asset.decimals)} ${asset.code}`;

export type CheckedAmount = { ok: true; units: bigint } | { ok: false; rejection: Rejection };

/**
 * An amount a user may move: parseable in the asset's scale, above zero, and within the asset's
 * limits. Every refusal is INVALID_AMOUNT with a message naming the rule that was broken.
 */
export const checkAmount = (text: string, asset: AssetDefinition): CheckedAmount => {
  const parsed = parseAmount(text, asset.decimals);
  if (!parsed.ok) return invalid(`invalid ${asset.code} amount: ${parsed.reason}`);
  const { units } = parsed;
  if (units <= 0n) return invalid(`amount must be greater than 0 ${asset.code}`);
  if (asset.minAmount !== null && units < asset.minAmount) {
    return invalid(`amount ${describeAmount(units, asset)} is below the minimum of ${describeAmount(asset.minAmount, asset)}`);
  }
  if (asset.maxAmount !== null && units > asset.maxAmount) {
    return invalid(`amount ${describeAmount(units, asset)} is above the maximum of ${describeAmount(asset.maxAmount, asset)}`);
  }
  return { ok: true, units };
};

/** A positive amount in the asset's scale, without the asset's limits (credits of a transfer already checked at its source). */
export const checkPositiveAmount = (text: string, asset: AssetDefinition): CheckedAmount => {
  const parsed = parseAmount(text, asset.decimals);
  if (!parsed.ok) return invalid(`invalid ${asset.code} amount: ${parsed.reason}`);
  if (parsed.units <= 0n) return invalid(`amount must be greater than 0 ${asset.code}`);
  return { ok: true, units: parsed.units };
};

/** For amounts written in code (catalog limits): a typo there is a programming error, not a user input. */
export const units = (text: string, decimals: number): bigint => {
  const parsed = parseAmount(text, decimals);
  if (!parsed.ok) throw new Error(`invalid amount constant: ${parsed.reason}`);
  return parsed.units;
};

const invalid = (message: string): CheckedAmount => ({ ok: false, rejection: reject('INVALID_AMOUNT', message) });
