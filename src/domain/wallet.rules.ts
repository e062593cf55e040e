import type { AssetCatalog, AssetDefinition } from './asset.js';
import { no, ok, type Check } from './check.js';
import { accepted, rejected, type Decision } from './decision.js';
import type { WalletEvent } from './events.js';
import { normaliseInstant, parseInstant } from './instant.js';
import { MAX_NAME_LENGTH } from './limits.js';
import { describeAmount, formatAmount } from './money.js';
import { reject, type Rejection } from './rejection.js';
import type { Balance, WalletState } from './wallet.state.js';

/** The checks the wallet's commands share; each answers a value or the rejection to return. */

export type WalletContext = Readonly<{
  assets: AssetCatalog;
  /** The other wallet of a transfer request (its destination), loaded by the app. */
  counterparty?: WalletState | undefined;
}>;

const CONTROL_CHARACTER = /\p{Cc}/u;

/** Names are shown in lists and logs: trimmed, 1..100 characters, nothing that moves a cursor. */
export const checkName = (raw: string): Check<string> => {
  const name = raw.trim();
  const length = [...name].length;
  if (length === 0) return no(reject('INVALID_NAME', 'the name is empty'));
  if (length > MAX_NAME_LENGTH) return no(reject('INVALID_NAME', `the name has ${length} characters, at most ${MAX_NAME_LENGTH} allowed`));
  if (CONTROL_CHARACTER.test(name)) return no(reject('INVALID_NAME', 'the name contains control characters'));
  return ok(name);
};

export const findAsset = (assets: AssetCatalog, code: string): Check<AssetDefinition> => {
  const asset = assets.get(code);
  return asset ? ok(asset) : no(reject('UNKNOWN_ASSET', `asset ${code} is not registered`));
};

/** The asset's first network unless the command names another it supports. */
export const resolveNetwork = (asset: AssetDefinition, network: string | undefined): Check<string> => {
  const chosen = network ?? asset.networks[0];
  if (chosen !== undefined && asset.networks.includes(chosen)) return ok(chosen);
  return no(
    reject('UNSUPPORTED_NETWORK', `${asset.code} is not available on network ${network ?? '(none)'}; use one of ${asset.networks.join(', ')}`),
  );
};

export const checkFunds = (asset: AssetDefinition, balance: Balance, amount: bigint): Rejection | null => {
  const available = balance.total - balance.reserved;
  return available < amount
    ? reject('INSUFFICIENT_FUNDS', `available ${describeAmount(available, asset)} is less than ${describeAmount(amount, asset)}`)
    : null;
};

/** A valid ISO instant, normalised to the journal's spelling, with its epoch milliseconds. */
export const checkInstant = (text: string): Check<{ iso: string; ms: number }> => {
  const ms = parseInstant(text);
  return ms === null
    ? no(reject('INVALID_SCHEDULE', `"${text.slice(0, 64)}" is not an RFC 3339 date-time, e.g. 2026-11-22T10:00:00Z`))
    : ok({ iso: normaliseInstant(ms), ms });
};

/** Decision time comes from the processor, so it is trusted; a broken one is a bug upstream. */
export const nowOf = (now: string): number => {
  const ms = parseInstant(now);
  if (ms === null) throw new Error(`command metadata.now is not an ISO instant: ${now}`);
  return ms;
};

export type BalanceAfter = { totalAfter: string; reservedAfter: string };

/**
 * The single door through which a decision changes a balance. It refuses any result with a
 * negative total or reservation, or a reservation above the total, whatever the caller computed:
 * the ledger's first invariant holds by construction, not by each rule remembering it.
 */
export const changeBalance = (
  asset: AssetDefinition,
  next: Balance,
  event: (after: BalanceAfter) => WalletEvent,
): Decision<WalletEvent> => {
  if (next.total < 0n || next.reserved < 0n || next.reserved > next.total) {
    return rejected(
      reject(
        'INSUFFICIENT_FUNDS',
        `the ${asset.code} balance would become total ${describeAmount(next.total, asset)}, reserved ${describeAmount(next.reserved, asset)}`,
      ),
    );
  }
  return accepted(event({ totalAfter: formatAmount(next.total, asset.decimals), reservedAfter: formatAmount(next.reserved, asset.decimals) }));
};
