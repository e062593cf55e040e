/**
 * What the generic command handler and repository need to know about each kind of aggregate,
 * beyond its decider: how its state is snapshotted, which journal events are its own, how an
 * event is stamped into an envelope, and what else a decision reads (a transfer's destination).
 * Everything kind-specific lives in these two records; the handler has no branch per kind.
 */
import type { AssetState } from '../domain/asset.aggregate.js';
import { assetStateCodec } from '../domain/asset.snapshot.js';
import type { AssetCommand, WalletCommand } from '../domain/commands.js';
import type { Decider, Knowledge } from '../domain/decider.js';
import { assetDecider, walletDecider } from '../domain/deciders.js';
import type { AssetEvent, DomainEvent, EnvelopeFields, EnvelopeOf, EventEnvelope, WalletEvent } from '../domain/events.js';
import type { StateCodec } from '../domain/state-codec.js';
import type { WalletContext } from '../domain/wallet.decide.js';
import { walletStateCodec } from '../domain/wallet.snapshot.js';
import type { WalletState } from '../domain/wallet.state.js';
import type { AggregateKind } from '../ports.js';

export type AggregateType<C, E extends DomainEvent, S, X extends Knowledge> = Readonly<{
  kind: AggregateKind;
  decider: Decider<C, E, S, X>;
  codec: StateCodec<S>;
  /** Is this journal event one of this kind's? (An aggregate's subject holding another kind's event is a corrupt journal.) */
  owns(event: EventEnvelope): event is EnvelopeOf<E> & EventEnvelope;
  /** The envelope the journal stores `event` of aggregate `id` in: the event, the journal's fields, the aggregate's id. */
  seal(id: string, event: E, fields: EnvelopeFields): EventEnvelope;
  /** Everything the decision reads besides the state; `peek` reads another aggregate of this kind, caught up. */
  context(command: C, state: S, knowledge: Knowledge, peek: (id: string) => Promise<S>): Promise<X>;
  /** An event of this kind changes the Knowledge every process holds (registering an asset changes the catalog). */
  changesKnowledge: boolean;
}>;

export const walletAggregate: AggregateType<WalletCommand, WalletEvent, WalletState, WalletContext> = {
  kind: 'wallet',
  decider: walletDecider,
  codec: walletStateCodec,
  owns: (event) => event.type !== 'AssetRegistered',
  seal: (id, event, fields) => ({ ...event, ...fields, walletId: id }),
  async context(command, state, knowledge, peek) {
    const counterpartyId = counterpartyOf(command, state);
    return { ...knowledge, counterparty: counterpartyId === undefined ? undefined : await peek(counterpartyId) };
  },
  changesKnowledge: false,
};

export const assetAggregate: AggregateType<AssetCommand, AssetEvent, AssetState, Knowledge> = {
  kind: 'asset',
  decider: assetDecider,
  codec: assetStateCodec,
  owns: (event) => event.type === 'AssetRegistered',
  seal: (id, event, fields) => ({ ...event, ...fields, assetCode: id }),
  context: async (_command, _state, knowledge) => knowledge,
  changesKnowledge: true,
};

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
