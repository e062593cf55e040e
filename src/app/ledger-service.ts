/**
 * The API side of the app: turns a caller's request into a command, publishes it, and waits as
 * long as the requested consistency asks.
 *
 * Idempotency: the same key from the same caller derives the same commandId (and from it the
 * same new wallet or transfer id), so a repeat is the same command. The QUEUED outcome is
 * created before publishing; a repeat finds it, checks the input is the same, and either returns
 * the recorded decision or publishes again (safe: the processor dedupes by commandId), which also
 * heals a crash between recording QUEUED and publishing.
 */
import type { Clock, CommandBus, CommandMessage, CommandOutcome, Ids, Journal, LiveBus, OutcomeStore, ReadStore, SnapshotStore } from '../ports.js';
import { type PreparedCommand, submitBatch } from './command-batch.js';
import { type CommandRequest, type Consistency, IdempotencyKeyReusedError, type LedgerApp, type Principal } from './ledger-app.js';
import { idsOf } from './routing.js';
import { type JournalTopology, walletShard } from './sharding.js';
import { createWalletAsOf } from './wallet-as-of.js';

export type LedgerServiceDeps = {
  bus: CommandBus;
  outcomes: OutcomeStore;
  read: ReadStore;
  live: LiveBus;
  /** Read by time travel (`walletAsOf`) only: the API decides nothing itself. */
  journal: Journal;
  /** Time travel starts from a snapshot within the cut when there is one (read only). */
  snapshots?: SnapshotStore | undefined;
  /** Which shard's checkpoint tells that a wallet's event is projected. */
  topology: JournalTopology;
  clock: Clock;
  ids: Ids;
  /** How long DECIDED and PROJECTED wait (a whole batch too) before answering with the state reached so far. */
  waitMs?: number;
  /** Commands of one batch in flight at once (default MAX_IN_FLIGHT). */
  maxInFlight?: number;
};

/** PROJECTED looks at the checkpoint this often too: a notification lost in a projector crash must not cost the whole wait. */
const CHECKPOINT_POLL_MS = 250;

export function createLedgerService(deps: LedgerServiceDeps): LedgerApp {
  const { bus, outcomes, read, live, journal, snapshots, topology, clock, ids, waitMs = 10_000, maxInFlight } = deps;
  const asOf = createWalletAsOf({ journal, snapshots });
  const now = (): number => clock.now().getTime();

  const commandIdOf = (principal: Principal, idempotencyKey: string | undefined): string =>
    idempotencyKey === undefined ? ids.random() : ids.derive(idempotencyName(principal.sub, idempotencyKey));

  const messageOf = (principal: Principal, command: CommandRequest, commandId: string, fingerprint: string): CommandMessage => {
    const metadata = { commandId, correlationId: commandId, actor: principal.sub, admin: principal.admin, issuedAt: clock.now().toISOString(), fingerprint };
    switch (command.type) {
      case 'CreateWallet':
        return { type: command.type, data: { ...command.data, walletId: ids.derive(`wallet:${commandId}`), ownerId: principal.sub }, metadata };
      case 'RequestTransfer':
        return { type: command.type, data: { ...command.data, transferId: ids.derive(`transfer:${commandId}`) }, metadata };
      default:
        return { ...command, metadata };
    }
  };

  const prepare = (principal: Principal, command: CommandRequest, idempotencyKey: string | undefined): PreparedCommand => {
    const commandId = commandIdOf(principal, idempotencyKey);
    const fingerprint = ids.derive(`fingerprint:${canonicalJson(command)}`);
    return { commandId, fingerprint, idempotencyKey, message: messageOf(principal, command, commandId, fingerprint) };
  };

  /** Assets have no live notifications (they change rarely): look until the catalog shows it. */
  async function waitAssetProjected(code: string, deadline: number): Promise<void> {
    while (!(await read.assets()).some((a) => a.code === code) && now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits until the read models show the accepted event (the wallet's version reached it). */
  async function waitProjected(outcome: CommandOutcome, message: CommandMessage, deadline: number): Promise<void> {
    if (outcome.state !== 'ACCEPTED') return;
    if (message.type === 'RegisterAsset') return waitAssetProjected(message.data.code, deadline);
    if (!outcome.walletId || !outcome.aggregateVersion || !outcome.journalSeq) return;
    const { walletId, aggregateVersion, journalSeq } = outcome;
    const remaining = deadline - now();
    if (remaining <= 0) return;
    const shard = walletShard(walletId, topology);
    // Ended as soon as the wait is over, not when it would have timed out: a batch waits for many.
    const done = new AbortController();
    const signal = AbortSignal.any([done.signal, AbortSignal.timeout(remaining)]);
    try {
      const updates = await live.subscribe({ kind: 'wallet', walletId }, signal);
      // The wallet notification is published once every collection of its batch is written (the
      // wallet document alone could be ahead of its balances); the shard's checkpoint moves after that.
      const projected = async () => (await read.checkpoint(shard)) >= journalSeq;
      if (await projected()) return;
      const notified = (async () => {
        for await (const n of updates) if (n.kind === 'wallet' && n.version >= aggregateVersion) return;
      })();
      const polled = (async () => {
        while (!signal.aborted) {
          await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_POLL_MS));
          if (!signal.aborted && (await projected())) return;
        }
      })();
      await Promise.race([notified, polled]);
    } finally {
      done.abort();
    }
  }

  /**
   * One command: record QUEUED unless it is a repeat, publish, and wait as `consistency` asks
   * until `deadline` (epoch ms), answering with the state reached by then.
   */
  async function send(prepared: PreparedCommand, consistency: Consistency, deadline: number): Promise<CommandOutcome> {
    const { commandId, fingerprint, message } = prepared;
    const queued: CommandOutcome = {
      commandId,
      state: 'QUEUED',
      ...idsOf(message),
      fingerprint,
      at: clock.now().toISOString(),
    };
    let outcome: CommandOutcome;
    if (prepared.idempotencyKey === undefined) {
      // A fresh random command id has no earlier copy and no owner to check: record it and send it
      // at once, one round trip instead of two. (A decision recorded first makes the record a no-op.)
      const [existing] = await Promise.all([outcomes.createQueued(queued), bus.publish(message, { firstTime: true })]);
      outcome = existing ?? queued;
      if (outcome.state === 'QUEUED' && consistency === 'QUEUED') return outcome;
    } else {
      const existing = await outcomes.createQueued(queued);
      if (existing?.fingerprint && existing.fingerprint !== fingerprint) {
        throw new IdempotencyKeyReusedError(prepared.idempotencyKey);
      }
      outcome = existing ?? queued;
      // A record created just now means no copy of this command id was sent before.
      if (outcome.state === 'QUEUED') await bus.publish(message, { firstTime: existing === null });
      if (outcome.state === 'QUEUED' && consistency === 'QUEUED') return outcome;
    }
    if (outcome.state === 'QUEUED') {
      const remaining = deadline - now();
      if (remaining > 0) outcome = (await outcomes.waitFor(commandId, (o) => o.state !== 'QUEUED', remaining)) ?? outcome;
    }
    if (consistency === 'PROJECTED') await waitProjected(outcome, message, deadline);
    return outcome;
  }

  return {
    read,
    live,

    submit: (request) =>
      send(prepare(request.principal, request.command, request.idempotencyKey), request.consistency, now() + waitMs),

    submitMany: ({ principal, items, consistency }) => {
      const deadline = now() + waitMs;
      return submitBatch(items, {
        prepare: (command, idempotencyKey) => prepare(principal, command, idempotencyKey),
        commandIdOf: (idempotencyKey) => commandIdOf(principal, idempotencyKey),
        send: (prepared) => send(prepared, consistency, deadline),
        recorded: (commandId) => outcomes.get(commandId),
        clock,
        maxInFlight,
      });
    },

    async walletAsOf({ principal, walletId, cut }) {
      const state = await asOf(walletId, cut);
      // Someone else's wallet gets the answer an unknown id gets.
      return state !== null && (principal.admin || state.ownerId === principal.sub) ? state : null;
    },

    commandStatus: (commandId) => outcomes.get(commandId),
    watchCommand: (commandId, signal) => outcomes.watch(commandId, signal),
  };
}

/**
 * The name an idempotency key's command id is derived from. `idempotency:<sub>:<key>` is read
 * back unambiguously only while `sub` has no ':' (keys may have them): those subjects keep the
 * ids they always had; any other subject gets a JSON-encoded name, which cannot collide with them.
 */
export function idempotencyName(sub: string, key: string): string {
  return sub.includes(':') ? JSON.stringify(['idempotency', sub, key]) : `idempotency:${sub}:${key}`;
}

/** The same input gives the same text whatever its key order, so it fingerprints the caller's request. */
function canonicalJson(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, field]) => field !== undefined)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, field]) => [k, canonical(field)]),
        )
      : v;
  return JSON.stringify(canonical(value));
}
