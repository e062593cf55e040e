import type { TransferView } from '../ports.js';
import { canSeeTransfer, transferNotFound } from './access.js';
import { builder } from './builder.js';
import { type ParsedCommand, submitCommand } from './command.js';
import { CommandResultRef, ConsistencyEnum } from './command-result.js';
import type { GraphQLContext } from './context.js';
import { cancelTransferInput, parseInput, rescheduleTransferInput, transferInput } from './validation.js';

export const TransferInput = builder.inputType('TransferInput', {
  description: 'With executeAt in the future the transfer is scheduled; otherwise it runs now.',
  fields: (t) => ({
    fromWalletId: t.id({ required: true }),
    toWalletId: t.id({ required: true }),
    asset: t.string({ required: true }),
    amount: t.field({ type: 'Decimal', required: true }),
    executeAt: t.field({ type: 'DateTime' }),
    idempotencyKey: t.string(),
  }),
});
const CancelTransferInput = builder.inputType('CancelTransferInput', {
  fields: (t) => ({ transferId: t.id({ required: true }), idempotencyKey: t.string() }),
});
const RescheduleTransferInput = builder.inputType('RescheduleTransferInput', {
  fields: (t) => ({
    transferId: t.id({ required: true }),
    executeAt: t.field({ type: 'DateTime', required: true }),
    idempotencyKey: t.string(),
  }),
});

/** A TransferInput as its command, addressed to the source wallet; shared with submitCommands. */
export function transferRequest(input: unknown, root = 'input'): ParsedCommand {
  const { fromWalletId, toWalletId, asset, amount, executeAt, idempotencyKey } = parseInput(transferInput, input, root);
  return {
    command: { type: 'RequestTransfer', data: { walletId: fromWalletId, toWalletId, asset, amount, executeAt: executeAt?.toISOString() } },
    idempotencyKey,
    // Only the source must be the caller's: a transfer may target any existing wallet.
    walletId: fromWalletId,
  };
}

/**
 * Cancel and reschedule are commands to the source wallet, which the client does not name: the
 * read model tells which wallet that is. A transfer not projected yet cannot be addressed, and
 * one between other users is as unknown as that. Only the source's owner may act: the processor
 * refuses anyone else (WALLET_NOT_FOUND), as for any wallet that is not theirs.
 */
async function sourceOf(ctx: GraphQLContext, transferId: string): Promise<TransferView> {
  const transfer = await ctx.loaders.transferById.load(transferId);
  if (transfer === null || !(await canSeeTransfer(ctx, transfer))) throw transferNotFound(transferId);
  return transfer;
}

builder.mutationFields((t) => ({
  transfer: t.field({
    type: CommandResultRef,
    args: {
      input: t.arg({ type: TransferInput, required: true }),
      consistency: t.arg({ type: ConsistencyEnum, defaultValue: 'DECIDED' }),
    },
    resolve: (_root, args, ctx) => {
      // Only the source must be the caller's (the processor checks it): a transfer may target any existing wallet.
      const { command, idempotencyKey } = transferRequest(args.input);
      return submitCommand(ctx, command, { idempotencyKey, consistency: args.consistency });
    },
  }),
  cancelTransfer: t.field({
    type: CommandResultRef,
    args: {
      input: t.arg({ type: CancelTransferInput, required: true }),
      consistency: t.arg({ type: ConsistencyEnum, defaultValue: 'DECIDED' }),
    },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(cancelTransferInput, args.input);
      const transfer = await sourceOf(ctx, input.transferId);
      return submitCommand(
        ctx,
        { type: 'CancelTransfer', data: { walletId: transfer.fromWalletId, transferId: transfer.id } },
        { idempotencyKey: input.idempotencyKey, consistency: args.consistency },
      );
    },
  }),
  rescheduleTransfer: t.field({
    type: CommandResultRef,
    args: {
      input: t.arg({ type: RescheduleTransferInput, required: true }),
      consistency: t.arg({ type: ConsistencyEnum, defaultValue: 'DECIDED' }),
    },
    resolve: async (_root, args, ctx) => {
      const input = parseInput(rescheduleTransferInput, args.input);
      const transfer = await sourceOf(ctx, input.transferId);
      return submitCommand(
        ctx,
        {
          type: 'RescheduleTransfer',
          data: { walletId: transfer.fromWalletId, transferId: transfer.id, executeAt: input.executeAt.toISOString() },
        },
        { idempotencyKey: input.idempotencyKey, consistency: args.consistency },
      );
    },
  }),
}));
