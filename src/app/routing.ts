/**
 * The aggregate a command is addressed to (its subject, its lock, its journal stream), and the
 * command as its decider takes it once the processor has chosen the decision time.
 */
import type { AnyCommand, AssetCommand, WalletCommand } from '../domain/commands.js';
import type { CommandMetadata } from '../domain/metadata.js';
import type { AggregateKind, AggregateRef, CommandMessage, WireMetadata } from '../ports.js';

export type CommandsOf = { wallet: WalletCommand; asset: AssetCommand };

/** A command and its aggregate, kept together so that a wallet command only ever meets the wallet decider. */
export type Routed<K extends AggregateKind = AggregateKind> = {
  [P in K]: Readonly<{
    ref: AggregateRef<P>;
    message: CommandMessage<CommandsOf[P]>;
    /** The command as the domain takes it, decided at `now`. */
    at(now: string): CommandsOf[P];
  }>;
}[K];

const domainMetadata = (metadata: WireMetadata, now: string): CommandMetadata => ({
  commandId: metadata.commandId,
  correlationId: metadata.correlationId,
  actor: metadata.actor,
  admin: metadata.admin,
  now,
});

export function route(message: CommandMessage): Routed {
  if (message.type === 'RegisterAsset') {
    return { ref: { kind: 'asset', id: message.data.code }, message, at: (now) => ({ ...message, metadata: domainMetadata(message.metadata, now) }) };
  }
  return { ref: { kind: 'wallet', id: message.data.walletId }, message, at: (now) => ({ ...message, metadata: domainMetadata(message.metadata, now) }) };
}

export const aggregateOf = (message: CommandMessage): AggregateRef => route(message).ref;

/** The wallet and transfer a command names, for its outcome. */
export const idsOf = (message: CommandMessage | AnyCommand): { walletId?: string; transferId?: string } => ({
  walletId: 'walletId' in message.data ? message.data.walletId : undefined,
  transferId: 'transferId' in message.data ? message.data.transferId : undefined,
});
