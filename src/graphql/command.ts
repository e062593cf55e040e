import { IdempotencyKeyReusedError, type CommandRequest, type Consistency } from '../app/ledger-app.js';
import type { CommandOutcome, CommandState } from '../ports.js';
import { principalOf } from './access.js';
import type { GraphQLContext } from './context.js';
import { idempotencyKeyReused } from './errors.js';

export type CommandResultShape = Readonly<{
  commandId: string;
  state: CommandState;
  code: string | null;
  message: string | null;
  walletId: string | null;
  transferId: string | null;
}>;

/** A mutation input parsed into the command it asks for, and the wallet it acts on (to authorize). */
export type ParsedCommand = Readonly<{ command: CommandRequest; idempotencyKey: string | undefined; walletId: string }>;

export const toCommandResult = (outcome: CommandOutcome): CommandResultShape => ({
  commandId: outcome.commandId,
  state: outcome.state,
  code: outcome.code ?? null,
  message: outcome.message ?? null,
  walletId: outcome.walletId ?? null,
  transferId: outcome.transferId ?? null,
});

/** Every mutation ends here: publish through the app, wait as asked, answer with the outcome. */
export async function submitCommand(
  ctx: GraphQLContext,
  command: CommandRequest,
  options: Readonly<{ idempotencyKey?: string | undefined; consistency?: Consistency | null | undefined }>,
): Promise<CommandResultShape> {
  try {
    const outcome = await ctx.app.submit({
      principal: principalOf(ctx),
      command,
      idempotencyKey: options.idempotencyKey,
      consistency: options.consistency ?? 'DECIDED',
    });
    return toCommandResult(outcome);
  } catch (error) {
    if (error instanceof IdempotencyKeyReusedError) throw idempotencyKeyReused(error.message);
    throw error;
  }
}
