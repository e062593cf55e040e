import { builder } from './builder.js';
import { submitCommand } from './command.js';
import { CommandResultRef, ConsistencyEnum } from './command-result.js';
import { closeWalletInput, createWalletInput, parseInput, updateWalletInput } from './validation.js';

const CreateWalletInput = builder.inputType('CreateWalletInput', {
  fields: (t) => ({ name: t.string({ required: true }), idempotencyKey: t.string() }),
});
const UpdateWalletInput = builder.inputType('UpdateWalletInput', {
  fields: (t) => ({ walletId: t.id({ required: true }), name: t.string({ required: true }), idempotencyKey: t.string() }),
});
const CloseWalletInput = builder.inputType('CloseWalletInput', {
  fields: (t) => ({ walletId: t.id({ required: true }), idempotencyKey: t.string() }),
});

builder.mutationFields((t) => ({
  createWallet: t.field({
    type: CommandResultRef,
    args: {
      input: t.arg({ type: CreateWalletInput, required: true }),
      consistency: t.arg({ type: ConsistencyEnum, defaultValue: 'DECIDED' }),
    },
    resolve: (_root, args, ctx) => {
      const input = parseInput(createWalletInput, args.input);
      // The app derives the wallet id from the command id and the owner from the principal.
      return submitCommand(ctx, { type: 'CreateWallet', data: { name: input.name } }, { ...input, consistency: args.consistency });
    },
  }),
  updateWallet: t.field({
    type: CommandResultRef,
    args: {
      input: t.arg({ type: UpdateWalletInput, required: true }),
      consistency: t.arg({ type: ConsistencyEnum, defaultValue: 'DECIDED' }),
    },
    // The processor refuses someone else's wallet exactly like an unknown one (WALLET_NOT_FOUND).
    resolve: (_root, args, ctx) => {
      const input = parseInput(updateWalletInput, args.input);
      return submitCommand(
        ctx,
        { type: 'RenameWallet', data: { walletId: input.walletId, name: input.name } },
        { ...input, consistency: args.consistency },
      );
    },
  }),
  closeWallet: t.field({
    type: CommandResultRef,
    args: {
      input: t.arg({ type: CloseWalletInput, required: true }),
      consistency: t.arg({ type: ConsistencyEnum, defaultValue: 'DECIDED' }),
    },
    resolve: (_root, args, ctx) => {
      const input = parseInput(closeWalletInput, args.input);
      return submitCommand(ctx, { type: 'CloseWallet', data: { walletId: input.walletId } }, { ...input, consistency: args.consistency });
    },
  }),
}));
