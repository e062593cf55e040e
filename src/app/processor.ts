/**
 * The processor role: one command in, one recorded outcome out. A command whose outcome is
 * already decided is skipped (its effect, if any, is in the journal; a rejection stays a
 * rejection), so redeliveries and repeats are answered, never re-applied.
 */
import type { CommandMessage, CommandOutcome, OutcomeStore } from '../ports.js';
import type { CommandHandler } from './command-handler.js';

export type Processor = { process(command: CommandMessage): Promise<CommandOutcome> };

export function createProcessor({ handler, outcomes }: { handler: CommandHandler; outcomes: OutcomeStore }): Processor {
  return {
    async process(command) {
      const known = await outcomes.get(command.metadata.commandId);
      if (known && known.state !== 'QUEUED') return known;
      const outcome = await handler.handle(command);
      await outcomes.recordDecision(outcome);
      return outcome;
    },
  };
}
