import type { CommandOutcome } from '../ports.js';
import { principalOf } from './access.js';
import { builder } from './builder.js';
import { toCommandResult, type CommandResultShape } from './command.js';
import type { GraphQLContext } from './context.js';
import { aborted, liveIterable, renewLoaders, untilAborted } from './live.js';
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
    id: t.id({ description: 'the commandId: commandStatus updates merge into the cached result by it', resolve: (result) => result.commandId }),
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
      // Someone else's command answers like an unknown one: null.
      return (await mayView(ctx, outcome)) ? toCommandResult(outcome) : null;
    },
  }),
);

builder.subscriptionField('commandStatus', (t) =>
  t.field({
    type: CommandResultRef,
    description: 'Emits the current state at once, then the decision.',
    args: { id: t.arg.id({ required: true }) },
    // Any caller may wait for any id: someone else's command then looks exactly like one that
    // never comes (no event, no end), so the subscription tells nothing about it.
    subscribe: (_root, args, ctx) => {
      const id = parseInput(idSchema, args.id, 'id');
      return liveIterable(async function* (signal) {
        for await (const outcome of untilAborted(ctx.app.watchCommand(id, signal), signal)) {
          renewLoaders(ctx);
          if (!(await mayView(ctx, outcome))) break;
          yield outcome;
          if (outcome.state !== 'QUEUED') return;
        }
        await aborted(signal);
      });
    },
    resolve: (outcome: CommandOutcome) => toCommandResult(outcome),
  }),
);
