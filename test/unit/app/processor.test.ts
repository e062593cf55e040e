/** The processor over in-memory ports: when it asks the outcome store, and what a repeat gets back. */
import { describe, expect, it } from 'vitest';
import type { CommandHandler } from '../../../src/app/command-handler.js';
import { createProcessor } from '../../../src/app/processor.js';
import type { CommandMessage, CommandOutcome } from '../../../src/ports.js';
import { createMemoryOutcomeStore } from '../../support/memory-ports.js';

const deposit: CommandMessage = {
  type: 'Deposit',
  data: { walletId: 'w1', asset: 'USD', amount: '5' },
  metadata: { commandId: 'c1', correlationId: 'c1', actor: 'alice', admin: false, issuedAt: '2030-01-01T00:00:00.000Z' },
};

/** A handler whose decisions the test sets, counting how often it was asked. */
function handlerDeciding(...decisions: Array<CommandOutcome['state']>) {
  let calls = 0;
  const handler = {
    handle: async (command: CommandMessage): Promise<CommandOutcome> => ({
      commandId: command.metadata.commandId,
      state: decisions[Math.min(calls++, decisions.length - 1)] as CommandOutcome['state'],
      at: '2030-01-01T00:00:00.000Z',
    }),
    catalog: () => new Map(),
  } as unknown as CommandHandler;
  return { handler, calls: () => calls };
}

describe('the processor', () => {
  it('answers a repeat with the first decision, never a new one: a rejection stays a rejection', async () => {
    const outcomes = createMemoryOutcomeStore();
    // Refused at first (say, short of funds), it would be accepted if decided again later.
    const { handler, calls } = handlerDeciding('REJECTED', 'ACCEPTED');
    const processor = createProcessor({ handler, outcomes });
    expect((await processor.process(deposit, { firstCopy: true })).state).toBe('REJECTED');
    expect((await processor.process(deposit)).state).toBe('REJECTED');
    expect(calls()).toBe(1);
  });

  it('does not ask the outcome store for the first copy of a command (nothing can be recorded yet)', async () => {
    const outcomes = createMemoryOutcomeStore();
    let lookups = 0;
    const get = outcomes.get.bind(outcomes);
    outcomes.get = (id) => (lookups++, get(id));
    const processor = createProcessor({ handler: handlerDeciding('ACCEPTED').handler, outcomes });
    await processor.process(deposit, { firstCopy: true });
    expect(lookups).toBe(0);
    await processor.process({ ...deposit, metadata: { ...deposit.metadata, commandId: 'c2' } });
    expect(lookups).toBe(1);
    expect(outcomes.all.get('c1')?.state).toBe('ACCEPTED');
  });
});
