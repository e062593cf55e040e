/**
 * Decides one command against its aggregate and appends the single resulting event, the same way
 * for every kind of aggregate (after Emmett's `handleCommand`: load, decide, append with the
 * expected version, retry on conflict). This is where "exactly one effect" is enforced:
 * - a command id the aggregate accepted recently is answered from history, never decided again;
 *   one whose append may have happened just before a crash is looked up in the journal where the
 *   attempt log says it would be;
 * - the append is conditional on the aggregate's last sequence, so a concurrent writer (another
 *   processor, the saga, a redelivery) forces a catch-up and a fresh decision instead of a fork;
 * - the event id is derived from the command id, so JetStream's dedupe window also drops a
 *   retried publish of the same event.
 * Commands for one aggregate run one at a time in this process (a keyed lock); different
 * aggregates run concurrently.
 */
import type { AssetCatalog } from '../domain/asset.js';
import type { Knowledge } from '../domain/decider.js';
import type { DomainEvent } from '../domain/events.js';
import { SCHEMA_VERSIONS } from '../domain/upcast.js';
import { UnreadableEventError } from '../domain/wallet.evolve.js';
import {
  type AggregateKind,
  type AggregateRef,
  type AppendAttempt,
  type AttemptLog,
  type Clock,
  type CommandMessage,
  type CommandOutcome,
  ConcurrencyError,
  type Ids,
  type Journal,
  type Log,
  type SnapshotStore,
} from '../ports.js';
import { type AggregateRepository, type Loaded, createAggregateRepository } from './aggregate-repository.js';
import { type AggregateType, assetAggregate, walletAggregate } from './aggregate-types.js';
import { loadCatalog } from './catalog.js';
import { createKeyedLock } from './keyed-lock.js';
import { type CommandsOf, type Routed, idsOf, route } from './routing.js';
import { createSnapshotWriter } from './snapshot-writer.js';

const MAX_ATTEMPTS = 8;

export type CommandHandler = {
  handle(command: CommandMessage): Promise<CommandOutcome>;
  /** The asset catalog as this process knows it (reloaded when a command names an unknown asset). */
  catalog(): AssetCatalog;
  /** Resolves once every snapshot scheduled so far is written (shutdown, tests). */
  flushSnapshots(): Promise<void>;
};

export type CommandHandlerDeps = Readonly<{
  journal: Journal;
  clock: Clock;
  ids: Ids;
  /** Where aggregate snapshots are read and written; none: every cold load replays the whole history. */
  snapshots?: SnapshotStore | undefined;
  /** A snapshot every this many events of an aggregate (default 500; 0: never). */
  snapshotEvery?: number | undefined;
  /** Closes the window between an append and its recorded outcome (see AttemptLog); none: only the recent ids guard it. */
  attempts?: AttemptLog | undefined;
  /** Aggregates kept in memory per kind. */
  cacheSize?: number | undefined;
  log?: Log | undefined;
}>;

export const DEFAULT_SNAPSHOT_EVERY = 500;

type Runner<C> = (ref: AggregateRef, message: CommandMessage, at: (now: string) => C) => Promise<CommandOutcome>;

export async function createCommandHandler(deps: CommandHandlerDeps): Promise<CommandHandler> {
  const { journal, clock, ids, attempts, log } = deps;
  const catalog = await loadCatalog(journal);
  const knowledge = (): Knowledge => ({ assets: catalog.current() });
  const writer = deps.snapshots ? createSnapshotWriter(deps.snapshots, log) : undefined;

  const outcomeOf = (message: CommandMessage, fields: Partial<CommandOutcome>): CommandOutcome => ({
    commandId: message.metadata.commandId,
    state: 'ACCEPTED',
    ...idsOf(message),
    fingerprint: message.metadata.fingerprint,
    at: clock.now().toISOString(),
    ...fields,
  });

  /** Event time never runs backwards within an aggregate, whatever the processors' clocks say. */
  const decisionTime = (loaded: Loaded<unknown>): string => {
    const now = clock.now().toISOString();
    return loaded.lastOccurredAt && loaded.lastOccurredAt > now ? loaded.lastOccurredAt : now;
  };

  /** The event an earlier attempt appended, if it did: it can only be after the sequence that attempt started from. */
  const appendedBefore = async (ref: AggregateRef, attempt: AppendAttempt) =>
    (await journal.read(ref, attempt.afterSeq)).find((stored) => stored.event.id === attempt.eventId);

  function runnerFor<C, E extends DomainEvent, S, X extends Knowledge>(type: AggregateType<C, E, S, X>): Runner<C> {
    const repository: AggregateRepository<S> = createAggregateRepository<C, E, S, X>(type, {
      journal,
      knowledge,
      snapshots: deps.snapshots,
      writer,
      snapshotEvery: deps.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY,
      capacity: deps.cacheSize,
      log,
    });
    const peek = async (id: string) => (await repository.catchUp({ kind: type.kind, id })).state;

    return async (ref, message, at) => {
      const { commandId } = message.metadata;
      const acceptedAt = (where: { version: number; seq: number }) => outcomeOf(message, { aggregateVersion: where.version, journalSeq: where.seq });
      let fresh = false;
      let knowledgeReloaded = false;
      let attemptRecorded = false;
      const reloadKnowledge = async (): Promise<boolean> => {
        if (knowledgeReloaded) return false;
        knowledgeReloaded = true;
        await catalog.reload();
        return true;
      };

      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        let loaded: Loaded<S>;
        try {
          loaded = fresh ? await repository.catchUp(ref) : await repository.load(ref);
        } catch (error) {
          // Another process registered an asset this one has not seen: the history reads with a fresh catalog.
          if (error instanceof UnreadableEventError && (await reloadKnowledge())) continue;
          throw error;
        }
        const seen = loaded.recent.find(commandId);
        if (seen) return acceptedAt(seen);

        const now = decisionTime(loaded);
        const command = at(now);
        const decision = type.decider.decide(command, loaded.state, await type.context(command, loaded.state, knowledge(), peek));

        if (decision.kind === 'rejected') {
          // Another instance may have registered the asset since we loaded the catalog: look once more.
          if (decision.rejection.code === 'UNKNOWN_ASSET' && (await reloadKnowledge())) continue;
          // A rejection decided on a stale copy could be wrong (e.g. funds deposited elsewhere): confirm it fresh.
          if (!fresh) {
            fresh = true;
            continue;
          }
          // Refused now, but an earlier attempt may have been accepted and appended before it crashed.
          const earlier = attempts && (await attempts.first(commandId));
          const found = earlier && (await appendedBefore(ref, earlier));
          if (found) return acceptedAt({ version: found.event.version, seq: found.seq });
          return outcomeOf(message, { state: 'REJECTED', code: decision.rejection.code, message: decision.rejection.message });
        }

        const envelope = type.seal(ref.id, decision.event, {
          // Derived, not random: the same command deciding the same event yields the same Nats-Msg-Id.
          id: ids.derive(`event:${ref.kind}:${ref.id}:${commandId}`),
          version: loaded.version + 1,
          occurredAt: now,
          commandId,
          correlationId: message.metadata.correlationId,
          actor: message.metadata.actor,
          schemaVersion: SCHEMA_VERSIONS[decision.event.type],
        });
        if (attempts && !attemptRecorded) {
          // Write-ahead: the first attempt's starting point is kept, so a later look finds this append wherever it landed.
          const earlier = await attempts.record(commandId, { afterSeq: loaded.lastSeq, eventId: envelope.id });
          attemptRecorded = true;
          const found = earlier && (await appendedBefore(ref, earlier));
          if (found) return acceptedAt({ version: found.event.version, seq: found.seq });
        }
        try {
          const { seq } = await journal.append(ref, envelope, loaded.lastSeq);
          repository.appended(ref, { seq, event: envelope });
          if (type.changesKnowledge) await catalog.reload();
          return acceptedAt({ version: envelope.version, seq });
        } catch (error) {
          if (!(error instanceof ConcurrencyError)) throw error;
          fresh = true;
        }
      }
      throw new Error(`${ref.kind} ${ref.id}: gave up after ${MAX_ATTEMPTS} conflicting appends`);
    };
  }

  const runners: { [K in AggregateKind]: Runner<CommandsOf[K]> } = { wallet: runnerFor(walletAggregate), asset: runnerFor(assetAggregate) };
  const run = <K extends AggregateKind>({ ref, message, at }: Routed<K>): Promise<CommandOutcome> => runners[ref.kind](ref, message, at);
  const lock = createKeyedLock();

  return {
    handle: (message) => {
      const routed = route(message);
      return lock(`${routed.ref.kind}:${routed.ref.id}`, () => run(routed));
    },
    catalog: () => catalog.current(),
    flushSnapshots: async () => writer?.flush(),
  };
}
