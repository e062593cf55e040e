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
import type { Clock, CommandBus, CommandMessage, CommandOutcome, Ids, LiveBus, OutcomeStore, ReadStore } from '../ports.js';
import { IdempotencyKeyReusedError, type LedgerApp, type SubmitRequest } from './ledger-app.js';
import { type JournalTopology, walletShard } from './sharding.js';

export type LedgerServiceDeps = {
  bus: CommandBus;
  outcomes: OutcomeStore;
  read: ReadStore;
  live: LiveBus;
  /** Which shard's checkpoint tells that a wallet's event is projected. */
  topology: JournalTopology;
  clock: Clock;
  ids: Ids;
  /** How long DECIDED and PROJECTED wait before answering with the state reached so far. */
  waitMs?: number;
};

/** PROJECTED looks at the checkpoint this often too: a notification lost in a projector crash must not cost the whole wait. */
const CHECKPOINT_POLL_MS = 250;

export function createLedgerService(deps: LedgerServiceDeps): LedgerApp {
  const { bus, outcomes, read, live, topology, clock, ids, waitMs = 10_000 } = deps;

  const commandIdOf = (request: SubmitRequest): string =>
    request.idempotencyKey === undefined ? ids.random() : ids.derive(idempotencyName(request.principal.sub, request.idempotencyKey));

  const messageOf = (request: SubmitRequest, commandId: string, fingerprint: string): CommandMessage => {
    const { command, principal } = request;
    const data =
      command.type === 'CreateWallet'
        ? { ...command.data, walletId: ids.derive(`wallet:${commandId}`), ownerId: principal.sub }
        : command.type === 'RequestTransfer'
          ? { ...command.data, transferId: ids.derive(`transfer:${commandId}`) }
          : command.data;
    return {
      type: command.type,
      data: data as CommandMessage['data'],
      metadata: { commandId, correlationId: commandId, actor: principal.sub, admin: principal.admin, issuedAt: clock.now().toISOString(), fingerprint },
    };
  };

  /** Assets have no live notifications (they change rarely): look until the catalog shows it. */
  async function waitAssetProjected(code: string): Promise<void> {
    const deadline = clock.now().getTime() + waitMs;
    while (!(await read.assets()).some((a) => a.code === code) && clock.now().getTime() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits until the read models show the accepted event (the wallet's version reached it). */
  async function waitProjected(outcome: CommandOutcome, message: CommandMessage): Promise<void> {
    if (outcome.state !== 'ACCEPTED') return;
    if (message.type === 'RegisterAsset') return waitAssetProjected((message.data as { code: string }).code);
    if (!outcome.walletId || !outcome.aggregateVersion || !outcome.journalSeq) return;
    const { walletId, aggregateVersion, journalSeq } = outcome;
    const shard = walletShard(walletId, topology);
    // Released as soon as we answer, not when the wait would have timed out.
    const done = new AbortController();
    const signal = AbortSignal.any([done.signal, AbortSignal.timeout(waitMs)]);
    try {
      const updates = await live.subscribe({ kind: 'wallet', walletId }, signal);
      // The wallet notification is published once every collection of its batch is written (the
      // wallet document alone could be ahead of its balances); the checkpoint moves after that.
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

  return {
    read,
    live,

    async submit(request) {
      const commandId = commandIdOf(request);
      const fingerprint = ids.derive(`fingerprint:${canonicalJson(request.command)}`);
      const message = messageOf(request, commandId, fingerprint);
      const data = message.data as { walletId?: string; transferId?: string };
      const queued: CommandOutcome = {
        commandId,
        state: 'QUEUED',
        walletId: data.walletId,
        transferId: data.transferId,
        fingerprint,
        at: clock.now().toISOString(),
      };
      const existing = await outcomes.createQueued(queued);
      if (existing?.fingerprint && existing.fingerprint !== fingerprint) {
        throw new IdempotencyKeyReusedError(request.idempotencyKey ?? commandId);
      }
      let outcome = existing ?? queued;
      if (outcome.state === 'QUEUED') {
        await bus.publish(message);
        if (request.consistency === 'QUEUED') return outcome;
        outcome = (await outcomes.waitFor(commandId, (o) => o.state !== 'QUEUED', waitMs)) ?? outcome;
      }
      if (request.consistency === 'PROJECTED') await waitProjected(outcome, message);
      return outcome;
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
