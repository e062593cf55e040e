/**
 * Invariant 5 for `verify`: each transfer's events, across its two wallets, must tell one
 * coherent story — reserved at most once, debited at most once, credited at most once and only
 * after the debit, ended at most once, completed only once credited, refunded only if the
 * destination was never credited. Money in flight follows the transfers, not the events: a second
 * credit or a refund after a credit finds nothing in flight to take from, so it breaks the
 * conservation check instead of cancelling out in it.
 */
import type { WalletEventEnvelope } from '../domain/events.js';
import { compareDecimal, subtractDecimal } from './decimal.js';
import type { InvariantNumber, Movement } from './verify-types.js';

type Ending = Readonly<{ type: 'TransferCompleted' | 'TransferFailed' | 'TransferCancelled'; seq: number }>;

export type TransferTrack = {
  from: string | null;
  to: string | null;
  asset: string | null;
  amount: string | null;
  scheduledAt: number | null;
  debitedAt: number | null;
  creditedAt: number | null;
  ended: Ending | null;
};

type Report = (invariant: InvariantNumber, message: string) => void;

/** The transfer events, each with the terms it states; the others move no transfer. */
type TransferEvent = Extract<WalletEventEnvelope, { type: `Transfer${string}` }>;
type Terms = Readonly<{ transferId: string; toWalletId?: string; fromWalletId?: string; asset?: string; amount?: string }>;

const isTransferEvent = (event: WalletEventEnvelope): event is TransferEvent => event.type.startsWith('Transfer');

const minus = (amount: string): string => subtractDecimal('0', amount);
const describeEnd = (ending: Ending): string => `${ending.type.replace('Transfer', '').toLowerCase()} at seq ${ending.seq}`;

/** Records a transfer event and reports what does not fit its story; returns how it moves money (null: it moves none). */
export function checkTransferEvent(transfers: Map<string, TransferTrack>, seq: number, event: WalletEventEnvelope, report: Report): Movement | null {
  if (!isTransferEvent(event)) return null;
  const { walletId } = event;
  const data: Terms = event.data;
  const id = data.transferId;
  let t = transfers.get(id);
  if (!t) transfers.set(id, (t = { from: null, to: null, asset: null, amount: null, scheduledAt: null, debitedAt: null, creditedAt: null, ended: null }));
  const track = t;
  const problem = (text: string) => report(5, `transfer ${id}: ${text}`);
  const notEnded = () => {
    if (track.ended) problem(`${event.type} after it ended (${describeEnd(track.ended)})`);
  };
  const onSource = () => {
    if (track.from !== null && walletId !== track.from) problem(`${event.type} on wallet ${walletId}, but the transfer is from ${track.from}`);
  };
  const sameTerms = () => {
    if (data.asset !== undefined && track.asset !== null && data.asset !== track.asset) problem(`${event.type} in ${data.asset}, but the transfer is in ${track.asset}`);
    if (data.amount !== undefined && track.amount !== null && compareDecimal(data.amount, track.amount) !== 0) {
      problem(`${event.type} of ${data.amount}, but the transfer is for ${track.amount}`);
    }
  };
  const learn = (from: string | null) => {
    track.from ??= from;
    track.to ??= data.toWalletId ?? null;
    track.asset ??= data.asset ?? null;
    track.amount ??= data.amount ?? null;
  };
  const inFlight = () => track.debitedAt !== null && track.creditedAt === null && track.ended === null;

  switch (event.type) {
    case 'TransferScheduled': {
      const { asset, amount } = event.data;
      if (track.scheduledAt !== null || track.debitedAt !== null) problem(`scheduled again (first seen at seq ${track.scheduledAt ?? track.debitedAt})`);
      sameTerms();
      learn(walletId);
      track.scheduledAt ??= seq;
      return { asset, total: '0', reserved: amount };
    }
    case 'TransferRescheduled':
      onSource();
      notEnded();
      if (track.scheduledAt === null) problem('rescheduled but never scheduled');
      if (track.debitedAt !== null) problem(`rescheduled after it was debited at seq ${track.debitedAt}`);
      return null;
    case 'TransferCancelled': {
      const { asset, amount } = event.data;
      onSource();
      notEnded();
      sameTerms();
      if (track.scheduledAt === null) problem('cancelled but never scheduled');
      if (track.debitedAt !== null) problem(`cancelled after it was debited at seq ${track.debitedAt}`);
      track.ended ??= { type: 'TransferCancelled', seq };
      return { asset, total: '0', reserved: minus(amount) };
    }
    case 'TransferDebited': {
      const { asset, amount } = event.data;
      onSource();
      notEnded();
      sameTerms();
      const fromSchedule = track.scheduledAt !== null && track.debitedAt === null;
      if (track.debitedAt !== null) problem(`debited twice (first at seq ${track.debitedAt})`);
      learn(walletId);
      track.debitedAt ??= seq;
      return { asset, total: minus(amount), reserved: fromSchedule ? minus(amount) : '0', inFlight: amount };
    }
    case 'TransferCredited': {
      const { asset, amount } = event.data;
      const arriving = inFlight();
      if (track.debitedAt === null) problem(`credited to ${walletId} but never debited`);
      if (track.creditedAt !== null) problem(`credited twice (first at seq ${track.creditedAt})`);
      notEnded();
      if (track.to !== null && walletId !== track.to) problem(`credited to ${walletId}, but the transfer is to ${track.to}`);
      if (track.from !== null && data.fromWalletId !== undefined && data.fromWalletId !== track.from) problem(`credit names source ${data.fromWalletId}, but the transfer is from ${track.from}`);
      sameTerms();
      track.creditedAt ??= seq;
      return { asset, total: amount, reserved: '0', inFlight: arriving ? minus(amount) : '0' };
    }
    case 'TransferCompleted':
      onSource();
      notEnded();
      if (track.creditedAt === null) problem('completed but the destination was never credited');
      track.ended ??= { type: 'TransferCompleted', seq };
      return null;
    case 'TransferFailed': {
      const { asset, amount } = event.data;
      onSource();
      notEnded();
      sameTerms();
      const refunding = inFlight();
      // Tolerates a stage-less event, as an operator's hand-written one might be: inferred from the debit.
      const debitedStage = (event.data.stage ?? (track.debitedAt !== null ? 'DEBITED' : 'RESERVED')) === 'DEBITED';
      if (debitedStage && track.debitedAt === null) problem('refunded (failed at stage DEBITED) but never debited');
      if (debitedStage && track.creditedAt !== null) problem(`refunded although the destination was credited at seq ${track.creditedAt}: the money exists twice`);
      if (!debitedStage && (track.scheduledAt === null || track.debitedAt !== null)) problem('released (failed at stage RESERVED) but it was not a reservation');
      track.ended ??= { type: 'TransferFailed', seq };
      return debitedStage
        ? { asset, total: amount, reserved: '0', inFlight: refunding ? minus(amount) : '0' }
        : { asset, total: '0', reserved: minus(amount) };
    }
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** At rest a transfer is either still scheduled or over: one that was debited and never ended is stuck. */
export function transferFindingsAtEnd(transfers: ReadonlyMap<string, TransferTrack>, atRest: boolean): Array<{ seq: number; message: string }> {
  if (!atRest) return [];
  const findings: Array<{ seq: number; message: string }> = [];
  for (const [id, t] of transfers) {
    if (t.debitedAt === null || t.ended !== null) continue;
    const where = t.creditedAt === null ? `never credited to ${t.to}` : `credited at seq ${t.creditedAt} but never completed`;
    findings.push({ seq: t.debitedAt, message: `transfer ${id} debited ${t.amount} ${t.asset} from ${t.from} but is still open at rest: ${where}` });
  }
  return findings;
}

export function transferStates(transfers: ReadonlyMap<string, TransferTrack>) {
  const states = { scheduled: 0, inFlight: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const t of transfers.values()) {
    if (t.ended?.type === 'TransferCompleted') states.completed++;
    else if (t.ended?.type === 'TransferFailed') states.failed++;
    else if (t.ended?.type === 'TransferCancelled') states.cancelled++;
    else if (t.debitedAt !== null) states.inFlight++;
    else if (t.scheduledAt !== null) states.scheduled++;
  }
  return states;
}
