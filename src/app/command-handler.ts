/**
 * Decides one command against its aggregate and appends the single resulting event. This is
 * where "exactly one effect" is enforced:
 * - a command id the aggregate already accepted is answered from history, never decided again;
 * - the append is conditional on the aggregate's last sequence, so a concurrent writer (another
 *   processor, the saga, a redelivery) forces a catch-up and a fresh decision instead of a fork;
 * - the event id is derived from the command id, so JetStream's dedupe window also drops a
 *   retried publish of the same event.
 */
import type { AssetCatalog } from '../domain/asset.js';
import { catalogFromEvents, decideAsset } from '../domain/asset.aggregate.js';
import type { AssetCommand, WalletCommand } from '../domain/commands.js';
import type { Decision } from '../domain/decision.js';
import type { AssetEvent, AssetEventEnvelope, EventEnvelope, WalletEvent } from '../domain/events.js';
import type { CommandMetadata } from '../domain/metadata.js';
import { decideWallet } from '../domain/wallet.decide.js';
import { UnreadableEventError } from '../domain/wallet.evolve.js';
import type { WalletState } from '../domain/wallet.state.js';
import {
  type AggregateRef,
  type Clock,
  type CommandMessage,
  type CommandOutcome,
  ConcurrencyError,
  type Ids,
  type Journal,
} from '../ports.js';
import { type Loaded, createAssetRepository, createWalletRepository } from './aggregate-repository.js';
import { createKeyedLock } from './keyed-lock.js';
import { aggregateOf } from './routing.js';

const MAX_ATTEMPTS = 8;

export type CommandHandler = {
  handle(command: CommandMessage): Promise<CommandOutcome>;
  /** The asset catalog as this process knows it (reloaded when a command names an unknown asset). */
  catalog(): AssetCatalog;
};

export type CommandHandlerDeps = { journal: Journal; clock: Clock; ids: Ids };

export async function createCommandHandler({ journal, clock, ids }: CommandHandlerDeps): Promise<CommandHandler> {
  let catalog: AssetCatalog = catalogFromEvents((await journal.readAssets()).map((s) => s.event as AssetEventEnvelope));
  const reloadCatalog = async () => {
    catalog = catalogFromEvents((await journal.readAssets()).map((s) => s.event as AssetEventEnvelope));
  };
  const wallets = createWalletRepository(journal, () => catalog);
  const assets = createAssetRepository(journal);
  const lock = createKeyedLock();

  const outcomeOf = (command: CommandMessage, fields: Partial<CommandOutcome>): CommandOutcome => {
    const data = command.data as { walletId?: string; transferId?: string };
    return {
      commandId: command.metadata.commandId,
      state: 'ACCEPTED',
      walletId: data.walletId,
      transferId: data.transferId,
      fingerprint: command.metadata.fingerprint,
      at: clock.now().toISOString(),
      ...fields,
    };
  };

  /** Event time never runs backwards within an aggregate, whatever the processors' clocks say. */
  const decisionTime = (loaded: Loaded<unknown>): string => {
    const now = clock.now().toISOString();
    return loaded.lastOccurredAt && loaded.lastOccurredAt > now ? loaded.lastOccurredAt : now;
  };

  const metadataOf = (command: CommandMessage, now: string): CommandMetadata => ({
    commandId: command.metadata.commandId,
    correlationId: command.metadata.correlationId,
    actor: command.metadata.actor,
    admin: command.metadata.admin,
    now,
  });

  async function decideOnce(ref: AggregateRef, command: CommandMessage, fresh: boolean): Promise<{
    loaded: Loaded<unknown>;
    decision: Decision<WalletEvent | AssetEvent> | 'duplicate';
    now: string;
  }> {
    if (ref.kind === 'asset') {
      const loaded = fresh ? await assets.catchUp(ref) : await assets.load(ref);
      const now = decisionTime(loaded);
      if (loaded.handled.has(command.metadata.commandId)) return { loaded, decision: 'duplicate', now };
      const domainCommand = { ...command, metadata: metadataOf(command, now) } as AssetCommand;
      return { loaded, decision: decideAsset(domainCommand, loaded.state), now };
    }
    const loaded = fresh ? await wallets.catchUp(ref) : await wallets.load(ref);
    const now = decisionTime(loaded);
    if (loaded.handled.has(command.metadata.commandId)) return { loaded, decision: 'duplicate', now };
    const domainCommand = { ...command, metadata: metadataOf(command, now) } as WalletCommand;
    const counterpartyId = counterpartyOf(domainCommand, loaded.state as WalletState);
    const counterparty = counterpartyId ? (await wallets.catchUp({ kind: 'wallet', id: counterpartyId })).state : undefined;
    return { loaded, decision: decideWallet(domainCommand, loaded.state as WalletState, { assets: catalog, counterparty }), now };
  }

  async function decideAndAppend(ref: AggregateRef, command: CommandMessage): Promise<CommandOutcome> {
    let fresh = false;
    let catalogReloaded = false;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      let decided: Awaited<ReturnType<typeof decideOnce>>;
      try {
        decided = await decideOnce(ref, command, fresh);
      } catch (error) {
        // Another processor registered an asset this one has not seen: the history is readable with a fresh catalog.
        if (!(error instanceof UnreadableEventError) || catalogReloaded) throw error;
        catalogReloaded = true;
        await reloadCatalog();
        continue;
      }
      const { loaded, decision, now } = decided;
      if (decision === 'duplicate') {
        const prior = loaded.handled.get(command.metadata.commandId);
        return outcomeOf(command, { aggregateVersion: prior?.version, journalSeq: prior?.seq });
      }
      if (decision.kind === 'rejected') {
        // Another instance may have registered the asset since we loaded the catalog: look once more.
        if (decision.rejection.code === 'UNKNOWN_ASSET' && !catalogReloaded) {
          catalogReloaded = true;
          await reloadCatalog();
          continue;
        }
        // A rejection decided on a stale copy could be wrong (e.g. funds deposited elsewhere): confirm it fresh.
        if (!fresh) {
          fresh = true;
          continue;
        }
        return outcomeOf(command, { state: 'REJECTED', code: decision.rejection.code, message: decision.rejection.message });
      }
      const envelope = envelopeOf(ref, command, decision.event, loaded.version + 1, now, ids);
      try {
        const { seq } = await journal.append(ref, envelope, loaded.lastSeq);
        if (ref.kind === 'asset') {
          assets.appended(ref, { seq, event: envelope });
          await reloadCatalog();
        } else {
          wallets.appended(ref, { seq, event: envelope });
        }
        return outcomeOf(command, { aggregateVersion: envelope.version, journalSeq: seq });
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        fresh = true;
      }
    }
    throw new Error(`${ref.kind} ${ref.id}: gave up after ${MAX_ATTEMPTS} conflicting appends`);
  }

  return {
    handle: (command) => {
      const ref = aggregateOf(command);
      return lock(`${ref.kind}:${ref.id}`, () => decideAndAppend(ref, command));
    },
    catalog: () => catalog,
  };
}

/**
 * The destination whose current state a decision on the source needs (read, never written):
 * a new transfer must not target a missing or closed wallet, and neither may a scheduled one when it runs.
 */
function counterpartyOf(command: WalletCommand, state: WalletState): string | undefined {
  const toWalletId =
    command.type === 'RequestTransfer'
      ? command.data.toWalletId
      : command.type === 'ExecuteScheduledTransfer'
        ? state.openTransfers.get(command.data.transferId)?.toWalletId
        : undefined;
  return toWalletId && toWalletId !== command.data.walletId ? toWalletId : undefined;
}

function envelopeOf(
  ref: AggregateRef,
  command: CommandMessage,
  event: WalletEvent | AssetEvent,
  version: number,
  occurredAt: string,
  ids: Ids,
): EventEnvelope {
  return {
    // Derived, not random: the same command deciding the same event yields the same Nats-Msg-Id.
    id: ids.derive(`event:${ref.kind}:${ref.id}:${command.metadata.commandId}`),
    type: event.type,
    ...(ref.kind === 'wallet' ? { walletId: ref.id } : { assetCode: ref.id }),
    version,
    occurredAt,
    commandId: command.metadata.commandId,
    correlationId: command.metadata.correlationId,
    actor: command.metadata.actor,
    data: event.data,
  } as EventEnvelope;
}
