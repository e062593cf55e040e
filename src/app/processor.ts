/**
 * The processor role: one command in, one recorded outcome out. A command whose outcome is
 * already decided is skipped (its effect, if any, is in the journal; a rejection stays a
 * rejection), so redeliveries and repeats are answered, never re-applied.
 */
import type { CommandMessage, CommandOutcome, Journal, OutcomeStore } from '../ports.js';
import type { CommandHandler } from './command-handler.js';
import { explainEndedTransfer } from './ended-transfers.js';

export type Processor = { process(command: CommandMessage): Promise<CommandOutcome> };

export type ProcessorDeps = {
  handler: CommandHandler;
  outcomes: OutcomeStore;
  /** When given, explains refusals the wallet's current state cannot (a transfer that has ended). */
  journal?: Journal;
  /** After each decision this processor made and recorded; a repeat answered from the record is no new decision. */
  onDecided?(command: CommandMessage, outcome: CommandOutcome): void;
};

export function createProcessor({ handler, outcomes, journal, onDecided }: ProcessorDeps): Processor {
  return {
    async process(command) {
      const known = await outcomes.get(command.metadata.commandId);
      if (known && known.state !== 'QUEUED') return known;
      const decided = await handler.handle(command);
      const outcome = journal ? await explainEndedTransfer(journal, command, decided) : decided;
      await outcomes.recordDecision(outcome);
      onDecided?.(command, outcome);
      return outcome;
    },
  };
}
