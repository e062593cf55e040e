/**
 * The processor role: one command in, one recorded outcome out. A command whose outcome is
 * already decided is skipped (its effect, if any, is in the journal; a rejection stays a
 * rejection), so redeliveries and repeats are answered, never re-applied.
 */
import type { CommandMessage, CommandOutcome, Journal, OutcomeStore } from '../ports.js';
import type { CommandHandler } from './command-handler.js';
import { explainEndedTransfer } from './ended-transfers.js';

export type Processor = {
  /**
   * `firstCopy`: this is the first copy of the command id ever delivered (sent once, never
   * redelivered): no decision can exist for it yet, so the outcome store need not be asked.
   */
  process(command: CommandMessage, options?: { firstCopy?: boolean }): Promise<CommandOutcome>;
};

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
    async process(command, options = {}) {
      // A repeat must get the first decision back, never a new one (a rejection could turn into an
      // acceptance): the aggregate remembers accepted command ids, the outcome store all of them.
      if (!options.firstCopy) {
        const known = await outcomes.get(command.metadata.commandId);
        if (known && known.state !== 'QUEUED') return known;
      }
      const decided = await handler.handle(command);
      const outcome = journal ? await explainEndedTransfer(journal, command, decided) : decided;
      await outcomes.recordDecision(outcome);
      onDecided?.(command, outcome);
      return outcome;
    },
  };
}
