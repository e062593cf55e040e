/**
 * `submitCommands`: up to 1,000 deposits, withdrawals and transfers in one request. Each command
 * goes through the same parsing and authorization as its single mutation; the app publishes them
 * (bounded pipelining) and decides each on its own. The contract answers one non-null
 * CommandResult per command, so a command that fails here is a REJECTED result at its position
 * (with a code), never a GraphQL error that would null the whole list.
 *
 * What the schema's own types refuse (a missing required field, a number where a Decimal string
 * belongs) fails the whole request before anything runs, as GraphQL has it: nothing is sent.
 */
import type { GraphQLError } from 'graphql';
import type { BatchItem, Refusal } from '../app/ledger-app.js';
import { MAX_BATCH_SIZE } from '../app/ledger-app.js';
import { principalOf } from './access.js';
import { DepositInput, WithdrawInput, fundsRequest } from './balance.js';
import { builder } from './builder.js';
import { type ParsedCommand, toCommandResult } from './command.js';
import { CommandResultRef, ConsistencyEnum } from './command-result.js';
import { badUserInput } from './errors.js';
import { TransferInput, transferRequest } from './transfer-mutations.js';
import { idempotencyKeySchema } from './validation.js';

const KINDS = ['deposit', 'withdraw', 'transfer'] as const;
type Kind = (typeof KINDS)[number];

const CommandInput = builder.inputType('CommandInput', {
  description:
    'Exactly one field is set (a oneOf input). Checked per command rather than with @oneOf, which would fail the whole ' +
    'batch: a command with none or several set is answered REJECTED with code BAD_USER_INPUT at its position.',
  fields: (t) => ({
    deposit: t.field({ type: DepositInput }),
    withdraw: t.field({ type: WithdrawInput }),
    transfer: t.field({ type: TransferInput }),
  }),
});

type CommandInputShape = Readonly<Partial<Record<Kind, unknown>>>;

const parsers: Record<Kind, (input: unknown, root: string) => ParsedCommand> = {
  deposit: (input, root) => fundsRequest('Deposit', input, root),
  withdraw: (input, root) => fundsRequest('Withdraw', input, root),
  transfer: transferRequest,
};

/** Input problems of one command become its refusal; anything else is no input problem and propagates. */
function inputRefusal(error: unknown): Refusal {
  const code = (error as Partial<GraphQLError>)?.extensions?.['code'];
  if (code !== 'BAD_USER_INPUT') throw error;
  return { code, message: (error as Error).message };
}

/** The key of a command that did not parse, if the key itself is well formed: its answer keeps the key's commandId. */
function keyOf(input: unknown): string | undefined {
  const parsed = idempotencyKeySchema.safeParse((input as { idempotencyKey?: unknown } | null)?.idempotencyKey);
  return parsed.success ? parsed.data : undefined;
}

function batchItemOf(input: CommandInputShape, root: string): BatchItem {
  const set = KINDS.filter((kind) => input[kind] != null);
  const [kind] = set;
  if (kind === undefined || set.length > 1) {
    const found = set.length === 0 ? 'none is' : `${set.join(' and ')} are`;
    return { kind: 'refused', refusal: { code: 'BAD_USER_INPUT', message: `${root}: exactly one of ${KINDS.join(', ')} must be set; ${found}` } };
  }
  let parsed: ParsedCommand;
  try {
    parsed = parsers[kind](input[kind], `${root}.${kind}`);
  } catch (error) {
    return { kind: 'refused', refusal: inputRefusal(error), idempotencyKey: keyOf(input[kind]) };
  }
  // Whose wallet it is, the processor decides against the journal, as for the single mutations:
  // someone else's wallet is rejected there exactly like an unknown one.
  const { command, idempotencyKey } = parsed;
  return { kind: 'command', command, idempotencyKey };
}

builder.mutationField('submitCommands', (t) =>
  t.field({
    type: [CommandResultRef],
    description: `Many commands in one request (at most ${MAX_BATCH_SIZE}): each is decided on its own, not atomically; results in the same order.`,
    args: {
      commands: t.arg({ type: [CommandInput], required: true }),
      consistency: t.arg({ type: ConsistencyEnum, defaultValue: 'DECIDED' }),
    },
    resolve: async (_root, args, ctx) => {
      const principal = principalOf(ctx);
      if (args.commands.length > MAX_BATCH_SIZE) {
        throw badUserInput(`commands: at most ${MAX_BATCH_SIZE} commands in one batch, not ${args.commands.length}; nothing was sent`, 'commands');
      }
      const items = args.commands.map((input, i) => batchItemOf(input, `commands.${i}`));
      const outcomes = await ctx.app.submitMany({ principal, items, consistency: args.consistency ?? 'DECIDED' });
      return outcomes.map(toCommandResult);
    },
  }),
);
