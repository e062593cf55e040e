/**
 * The invariants of contract/events.md, checked over the whole journal in one pass. Pure: the
 * journal (in sequence order) in, a list of violations out, so `jetledger verify` and the chaos
 * tests judge a running system by the same rules a unit test can feed by hand.
 *
 * Balances are checked from each event's `totalAfter`/`reservedAfter` and against the previous
 * balance moved by the event's amount; conservation is checked after every event, not only at
 * the end, so a doubled effect is reported at the sequence where it happened even if a second
 * error later hides it in the totals. Invariant 3 (read models = replay) needs a database and
 * is checked in infra (src/infra/mongo/replay-check.ts).
 */
import type { EventEnvelope, WalletEventEnvelope } from '../domain/events.js';
import type { StoredEvent } from '../ports.js';
import { addDecimal, compareDecimal, subtractDecimal } from './decimal.js';
import { type TransferTrack, checkTransferEvent, transferFindingsAtEnd, transferStates } from './verify-transfers.js';
import type { InvariantNumber, Movement, Violation } from './verify-types.js';

export type { InvariantNumber, Movement, Violation } from './verify-types.js';

export type AuditOptions = Readonly<{
  /** No command is being processed: nothing may be in flight, every debited transfer must have ended. */
  atRest?: boolean;
}>;

export type AssetFigures = Readonly<{ supply: string; held: string; inFlight: string }>;

export type JournalAudit = Readonly<{
  violations: Violation[];
  events: number;
  lastSeq: number;
  wallets: number;
  transfers: Readonly<Record<'scheduled' | 'inFlight' | 'completed' | 'failed' | 'cancelled', number>>;
  /** Per asset: deposits - withdrawals, the sum of wallet totals, and what is debited but not yet arrived. */
  assets: ReadonlyMap<string, AssetFigures>;
}>;

type Balance = { total: string; reserved: string };
type WalletTrack = { created: boolean; closedAt: number | null; balances: Map<string, Balance> };
type AssetTrack = { supply: string; held: string; inFlight: string; brokenAt: number | null; brokenText: string };

export const verifyJournal = (events: readonly StoredEvent[], options: AuditOptions = {}): Violation[] =>
  auditJournal(events, options).violations;

export function auditJournal(events: readonly StoredEvent[], options: AuditOptions = {}): JournalAudit {
  const violations: Violation[] = [];
  const report = (invariant: InvariantNumber, seq: number | null, message: string) =>
    violations.push({ invariant, seq, message: seq === null ? message : `seq ${seq}: ${message}` });

  const versions = new Map<string, number>();
  const commandIds = new Map<string, number>();
  const eventIds = new Map<string, number>();
  const wallets = new Map<string, WalletTrack>();
  const transfers = new Map<string, TransferTrack>();
  const assets = new Map<string, AssetTrack>();
  let lastSeq = 0;

  const assetTrack = (code: string): AssetTrack => {
    let track = assets.get(code);
    if (!track) assets.set(code, (track = { supply: '0', held: '0', inFlight: '0', brokenAt: null, brokenText: '' }));
    return track;
  };

  for (const { seq, event } of events) {
    if (seq <= lastSeq) report(1, seq, `journal out of order: sequence ${seq} after ${lastSeq}`);
    lastSeq = Math.max(lastSeq, seq);

    const aggregate = event.walletId !== undefined ? `wallet ${event.walletId}` : `asset ${event.assetCode ?? '(none)'}`;
    const previous = versions.get(aggregate) ?? 0;
    if (event.version !== previous + 1) {
      const what = event.version <= previous ? 'repeats' : 'skips to';
      report(1, seq, `${aggregate}: ${event.type} ${what} version ${event.version} after version ${previous} (versions must run 1, 2, 3 … with no gap)`);
    }
    versions.set(aggregate, Math.max(previous, event.version));

    const firstOfCommand = commandIds.get(event.commandId);
    if (firstOfCommand !== undefined) report(4, seq, `command ${event.commandId} had a second effect (${event.type} on ${aggregate}; its first event is seq ${firstOfCommand})`);
    else commandIds.set(event.commandId, seq);
    const firstOfId = eventIds.get(event.id);
    if (firstOfId !== undefined) report(4, seq, `event id ${event.id} appended twice (first at seq ${firstOfId})`);
    else eventIds.set(event.id, seq);

    if (event.type === 'AssetRegistered') continue;
    const wallet = walletTrack(wallets, event.walletId);
    if (event.type === 'WalletCreated') {
      if (wallet.created) report(1, seq, `wallet ${event.walletId} created twice`);
      wallet.created = true;
    } else if (!wallet.created) {
      report(1, seq, `wallet ${event.walletId}: ${event.type} before WalletCreated`);
    }
    if (wallet.closedAt !== null) report(1, seq, `wallet ${event.walletId}: ${event.type} after WalletClosed (seq ${wallet.closedAt})`);
    if (event.type === 'WalletClosed') wallet.closedAt = seq;

    const moved = checkTransferEvent(transfers, seq, event, (n, text) => report(n, seq, text));
    const movement = moved ?? fundsMovement(event);
    if (!movement) continue;

    const asset = assetTrack(movement.asset);
    if (movement.supply) asset.supply = addDecimal(asset.supply, movement.supply);
    if (movement.inFlight) asset.inFlight = addDecimal(asset.inFlight, movement.inFlight);
    const before = wallet.balances.get(movement.asset) ?? { total: '0', reserved: '0' };
    const after = applyMovement(event, before, movement, (text) => report(1, seq, `wallet ${event.walletId} ${movement.asset}: ${text}`));
    wallet.balances.set(movement.asset, after);
    asset.held = addDecimal(asset.held, subtractDecimal(after.total, before.total));

    if (asset.brokenAt === null && compareDecimal(addDecimal(asset.held, asset.inFlight), asset.supply) !== 0) {
      asset.brokenAt = seq;
      asset.brokenText = `${event.type} on wallet ${event.walletId}`;
    }
  }

  for (const [code, a] of assets) {
    const accounted = addDecimal(a.held, a.inFlight);
    const balanced = compareDecimal(accounted, a.supply) === 0;
    if (!balanced) {
      report(2, null, `${code}: wallets hold ${a.held} and ${a.inFlight} is in flight (${accounted}), but deposits - withdrawals = ${a.supply}` +
        (a.brokenAt === null ? '' : `; first off at seq ${a.brokenAt} (${a.brokenText})`));
    } else if (a.brokenAt !== null) {
      report(2, a.brokenAt, `${code}: wallets + in flight stopped matching deposits - withdrawals after ${a.brokenText}, though the totals balance again by the end`);
    }
    if (options.atRest && compareDecimal(a.inFlight, '0') !== 0) report(2, null, `${code}: ${a.inFlight} still in flight at rest`);
  }
  for (const finding of transferFindingsAtEnd(transfers, options.atRest ?? false)) report(5, finding.seq, finding.message);

  return {
    violations,
    events: events.length,
    lastSeq,
    wallets: wallets.size,
    transfers: transferStates(transfers),
    assets: new Map([...assets].map(([code, { supply, held, inFlight }]) => [code, { supply, held, inFlight }])),
  };
}

function walletTrack(wallets: Map<string, WalletTrack>, id: string): WalletTrack {
  let track = wallets.get(id);
  if (!track) wallets.set(id, (track = { created: false, closedAt: null, balances: new Map() }));
  return track;
}

function fundsMovement(event: EventEnvelope): Movement | null {
  switch (event.type) {
    case 'FundsDeposited':
      return { asset: event.data.asset, total: event.data.amount, reserved: '0', supply: event.data.amount };
    case 'FundsWithdrawn': {
      const minus = negate(event.data.amount);
      return { asset: event.data.asset, total: minus, reserved: '0', supply: minus };
    }
    default:
      return null;
  }
}

/** The balance after the event, as it states it; any disagreement with "before + movement" or a negative figure is reported. */
function applyMovement(event: WalletEventEnvelope, before: Balance, movement: Movement, report: (text: string) => void): Balance {
  const { data } = event;
  const expected = { total: addDecimal(before.total, movement.total), reserved: addDecimal(before.reserved, movement.reserved) };
  // The contract makes `reservedAfter` optional on some events: absent means unchanged by this event.
  const after = {
    total: ('totalAfter' in data ? data.totalAfter : undefined) ?? expected.total,
    reserved: ('reservedAfter' in data ? data.reservedAfter : undefined) ?? expected.reserved,
  };
  for (const field of ['total', 'reserved'] as const) {
    if (compareDecimal(after[field], expected[field]) !== 0) {
      report(`${event.type} says ${field} ${after[field]}, but ${field} ${before[field]} moved by ${movement[field]} is ${expected[field]}`);
    }
  }
  if (compareDecimal(after.reserved, '0') < 0) report(`reserved ${after.reserved} is negative after ${event.type}`);
  const available = subtractDecimal(after.total, after.reserved);
  if (compareDecimal(available, '0') < 0) report(`available ${available} (total ${after.total} - reserved ${after.reserved}) is negative after ${event.type}`);
  return after;
}

const negate = (amount: string): string => subtractDecimal('0', amount);
