/**
 * The edge between read-model views and MongoDB documents. Amounts are Decimal128 in MongoDB
 * (so operators can sort and sum them in the shell) and canonical decimal strings everywhere
 * else. Decimal128 keeps trailing zeros and may answer in exponent form ("1E-7"), so every
 * amount read back is normalised here: "1.50" never leaks out.
 */
import { Decimal128 } from 'mongodb';
import { canonicalDecimal, formatDecimal } from '../../app/decimal.js';
import type { AssetView, BalanceView, LedgerEntryView, TransferView, WalletView } from '../../ports.js';
import type { AssetDoc, BalanceDoc, EntryDoc, TransferDoc, WalletDoc } from './collections.js';

/** Throws rather than rounds when the amount needs more than Decimal128's 34 significant digits. */
export function toDecimal128(amount: string): Decimal128 {
  return Decimal128.fromString(canonicalDecimal(amount));
}

const SCIENTIFIC = /^(-)?(\d+)(?:\.(\d+))?(?:E([+-]\d+))?$/i;

export function fromDecimal128(value: Decimal128): string {
  const text = value.toString();
  const match = SCIENTIFIC.exec(text);
  if (!match) throw new RangeError(`Decimal128 ${text} is not an amount`);
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  let units = BigInt(whole + fraction);
  let scale = fraction.length - Number(exponent);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return formatDecimal(sign ? -units : units, scale);
}

const AMOUNT_FIELDS = {
  wallet: [],
  balance: ['total', 'reserved', 'available'],
  entry: ['amount', 'totalAfter', 'reservedAfter'],
  transfer: ['amount'],
  asset: ['minAmount', 'maxAmount'],
} as const satisfies Record<string, readonly string[]>;

/**
 * View fields (whole or partial) as document fields: `id` becomes the filter's `_id` elsewhere,
 * undefined is dropped (the driver would store it as null), amounts become Decimal128.
 */
export function encodeFields(kind: keyof typeof AMOUNT_FIELDS, fields: object): Record<string, unknown> {
  const amounts: readonly string[] = AMOUNT_FIELDS[kind];
  const doc: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'id' || value === undefined) continue;
    doc[key] = amounts.includes(key) && typeof value === 'string' ? toDecimal128(value) : value;
  }
  return doc;
}

const amountOrNull = (value: Decimal128 | null): string | null => (value === null ? null : fromDecimal128(value));

export const walletView = (d: WalletDoc): WalletView => ({
  id: d._id,
  ownerId: d.ownerId,
  name: d.name,
  status: d.status,
  version: d.version,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
  createdSeq: d.createdSeq,
});

export const balanceView = (d: BalanceDoc): BalanceView => ({
  walletId: d.walletId,
  asset: d.asset,
  total: fromDecimal128(d.total),
  reserved: fromDecimal128(d.reserved),
  available: fromDecimal128(d.available),
  version: d.version,
  updatedAt: d.updatedAt,
});

export const entryView = (d: EntryDoc): LedgerEntryView => ({
  id: d._id,
  walletId: d.walletId,
  asset: d.asset,
  type: d.type,
  amount: fromDecimal128(d.amount),
  totalAfter: fromDecimal128(d.totalAfter),
  reservedAfter: fromDecimal128(d.reservedAfter),
  transferId: d.transferId,
  commandId: d.commandId,
  version: d.version,
  occurredAt: d.occurredAt,
  seq: d.seq,
});

export const transferView = (d: TransferDoc): TransferView => ({
  id: d._id,
  fromWalletId: d.fromWalletId,
  toWalletId: d.toWalletId,
  asset: d.asset,
  amount: fromDecimal128(d.amount),
  status: d.status,
  executeAt: d.executeAt,
  createdAt: d.createdAt,
  completedAt: d.completedAt,
  failureReason: d.failureReason,
});

export const assetView = (d: AssetDoc): AssetView => ({
  code: d._id,
  decimals: d.decimals,
  networks: d.networks,
  minAmount: amountOrNull(d.minAmount),
  maxAmount: amountOrNull(d.maxAmount),
});
