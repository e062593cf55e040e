import type { AggregateRef, CommandMessage } from '../ports.js';

/** The aggregate a command is addressed to: its subject, its lock, its journal stream. */
export const aggregateOf = (command: Pick<CommandMessage, 'type' | 'data'>): AggregateRef =>
  command.type === 'RegisterAsset'
    ? { kind: 'asset', id: (command.data as { code: string }).code }
    : { kind: 'wallet', id: (command.data as { walletId: string }).walletId };
