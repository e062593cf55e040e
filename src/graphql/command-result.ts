import type { CommandOutcome } from '../ports.js';
import { principalOf } from './access.js';
import { builder } from './builder.js';
import { toCommandResult, type CommandResultShape } from './command.js';
import type { GraphQLContext } from './context.js';
import { forbidden } from './errors.js';
import { liveIterable, renewLoaders, untilAborted } from './live.js';
import { idSchema, parseInput } from './validation.js';

export const CommandStateEnum = builder.enumType('CommandState', { values: ['QUEUED', 'ACCEPTED', 'REJECTED'] as const });

export const ConsistencyEnum = builder.enumType('Consistency', {
  description: 'How long a mutation waits before it answers.',
  values: {
    QUEUED: { description: 'the command is durably stored in the command stream' },
    DECIDED: { description: 'the processor accepted or rejected it (default)' },
    PROJECTED: { description: 'accepted and visible in the read models (read-your-writes)' },
  } as const,
});

export const CommandResultRef = builder.objectRef<CommandResultShape>('CommandResult').implement({
  fields: (t) => ({
    commandId: t.exposeID('commandId'),
    state: t.expose('state', { type: CommandStateEnum }),
    code: t.exposeString('code', {
      nullable: true,
      description: 'machine-readable reason when REJECTED, e.g. INSUFFICIENT_FUNDS, WALLET_CLOSED, UNKNOWN_ASSET',
    }),
    message: t.exposeString('message', { nullable: true }),
    walletId: t.exposeID('walletId', { nullable: true }),
    transferId: t.exposeID('transferId', { nullable: true }),
  }),
});

/** An outcome names the wallet it acted on; whoever may not see that wallet may not see the outcome. */
async function mayView(ctx: GraphQLContext, outcome: CommandOutcome): Promise<boolean> {
  const principal = principalOf(ctx);
  if (principal.admin || outcome.walletId === undefined) return true;
  const wallet = await ctx.loaders.walletById.load(outcome.walletId);
  return wallet === null || wallet.ownerId === principal.sub;
}

builder.queryField('commandStatus', (t) =>
  t.field({
    type: CommandResultRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const outcome = await ctx.app.commandStatus(parseInput(idSchema, args.id, 'id'));
      if (outcome === null) return null;
      if (!(await mayView(ctx, outcome))) throw forbidden(`command ${args.id} acted on another user's wallet`);
      return toCommandResult(outcome);
    },
  }),
);

builder.subscriptionField('commandStatus', (t) =>
  t.field({
    type: CommandResultRef,
    description: 'Emits the current state at once, then the decision.',
    args: { id: t.arg.id({ required: true }) },
    authScopes: async (_root, args, ctx) => {
      const outcome = await ctx.app.commandStatus(parseInput(idSchema, args.id, 'id'));
      return outcome === null || (await mayView(ctx, outcome));
    },
    subscribe: (_root, args, ctx) =>
      liveIterable(async function* (signal) {
        for await (const outcome of untilAborted(ctx.app.watchCommand(args.id, signal), signal)) {
          renewLoaders(ctx);
          // The command may not have existed when the subscription was authorized: check each outcome.
          if (!(await mayView(ctx, outcome))) return;
          yield outcome;
          if (outcome.state !== 'QUEUED') return;
        }
      }),
    resolve: (outcome: CommandOutcome) => toCommandResult(outcome),
  }),
);
