/**
 * Large journals for tests and benches, written straight into JOURNAL without the processor:
 * valid wallet histories (versions 1…n, totals that add up, so `verify` passes) published with
 * many publishes in flight. One connection publishing in order gets the sequences in that order,
 * and a fixture is the only writer, so no expected-sequence guard is needed; each publish still
 * carries its event id as Nats-Msg-Id, like the journal adapter's.
 */
import { headers, type JetStreamClient } from 'nats';
import type { JournalTopology } from '../../src/app/sharding.js';
import type { WalletEventEnvelope } from '../../src/domain/events.js';
import { SCHEMA_VERSIONS } from '../../src/domain/upcast.js';
import { encodeJson } from '../../src/infra/nats/json.js';
import { journalSubject } from '../../src/infra/nats/topology.js';

export type HistoryOptions = Readonly<{
  /** Every this many events is a USD deposit or withdrawal (a ledger entry and a balance change); the rest are renames. */
  moneyEvery?: number;
  /** Event time of the first event (ms); each next event is a millisecond later. */
  startMs?: number;
  owner?: string;
}>;

/** WalletCreated, then `count - 1` events: renames, and every `moneyEvery`-th a deposit (or, when funded, a withdrawal). */
export function walletHistory(walletId: string, count: number, options: HistoryOptions = {}): WalletEventEnvelope[] {
  const { moneyEvery = 1, startMs = Date.parse('2030-01-01T00:00:00.000Z'), owner = 'alice' } = options;
  const events: WalletEventEnvelope[] = [];
  let cents = 0;
  const meta = (version: number) => {
    const commandId = `${walletId}-c${version}`;
    return {
      id: `${walletId}-e${version}`,
      walletId,
      version,
      occurredAt: new Date(startMs + version).toISOString(),
      commandId,
      correlationId: commandId,
      actor: owner,
    };
  };
  const usd = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
  for (let version = 1; version <= count; version++) {
    if (version === 1) {
      events.push({ ...meta(version), type: 'WalletCreated', schemaVersion: SCHEMA_VERSIONS.WalletCreated, data: { ownerId: owner, name: walletId } });
    } else if (version % moneyEvery === 0) {
      // Deposit 3.00, withdraw 1.25 every third time: balances grow and never go negative.
      const out = version % (3 * moneyEvery) === 0 && cents >= 125;
      cents += out ? -125 : 300;
      const data = { asset: 'USD', amount: out ? '1.25' : '3', network: 'fiat', totalAfter: usd(cents), reservedAfter: '0' };
      events.push(
        out
          ? { ...meta(version), type: 'FundsWithdrawn', schemaVersion: SCHEMA_VERSIONS.FundsWithdrawn, data }
          : { ...meta(version), type: 'FundsDeposited', schemaVersion: SCHEMA_VERSIONS.FundsDeposited, data },
      );
    } else {
      events.push({ ...meta(version), type: 'WalletRenamed', schemaVersion: SCHEMA_VERSIONS.WalletRenamed, data: { name: `${walletId} ${version}` } });
    }
  }
  return events;
}

/** Publishes the events in order, `inFlight` at a time; resolves when all are stored. Returns the last sequence. */
export async function publishEvents(js: JetStreamClient, topology: JournalTopology, events: readonly WalletEventEnvelope[], inFlight = 1_000): Promise<number> {
  let last = 0;
  let failure: unknown = null;
  const window = new Set<Promise<void>>();
  for (const event of events) {
    if (failure) break;
    const h = headers();
    h.set('Event-Type', event.type);
    const publish: Promise<void> = js
      .publish(journalSubject({ kind: 'wallet', id: event.walletId }, topology), encodeJson(event), { msgID: event.id, headers: h })
      .then(
        (ack) => void (last = Math.max(last, ack.seq)),
        (error: unknown) => void (failure ??= error),
      )
      .finally(() => window.delete(publish));
    window.add(publish);
    if (window.size >= inFlight) await Promise.race(window);
  }
  await Promise.all(window);
  if (failure) throw failure;
  return last;
}

/** `wallets` wallets of `perWallet` events each, interleaved (one event of each in turn), as a busy journal would hold them. */
export function interleavedHistories(wallets: number, perWallet: number, options: HistoryOptions = {}): WalletEventEnvelope[] {
  const histories = Array.from({ length: wallets }, (_, i) => walletHistory(`fx${String(i).padStart(5, '0')}`, perWallet, options));
  const events: WalletEventEnvelope[] = [];
  for (let v = 0; v < perWallet; v++) for (const history of histories) events.push(history[v]!);
  return events;
}
