import { describe, expect, it } from 'vitest';
import { type SagaAnomaly, createTransferSaga } from '../../../src/app/transfer-saga.js';
import type { EventEnvelope } from '../../../src/domain/events.js';
import { systemClock, systemIds } from '../../../src/infra/system.js';
import type { CommandMessage, CommandOutcome } from '../../../src/ports.js';

const debited: EventEnvelope = {
  id: 'e1',
  type: 'TransferDebited',
  walletId: 'from',
  version: 3,
  occurredAt: '2030-01-01T00:00:00.000Z',
  commandId: 'c1',
  correlationId: 'c1',
  actor: 'alice',
  data: { transferId: 't1', toWalletId: 'to', asset: 'USD', amount: '5', totalAfter: '0', reservedAfter: '0' },
} as EventEnvelope;

/** A processor that answers each step type as told. */
function processorAnswering(answers: Partial<Record<CommandMessage['type'], Pick<CommandOutcome, 'state' | 'code' | 'message'>>>) {
  const steps: string[] = [];
  return {
    steps,
    process: async (command: CommandMessage): Promise<CommandOutcome> => {
      steps.push(command.type);
      const answer = answers[command.type] ?? { state: 'ACCEPTED' };
      return { commandId: command.metadata.commandId, at: '2030-01-01T00:00:00.000Z', ...answer };
    },
  };
}

describe('the transfer saga', () => {
  it('raises the alarm when its own accepted credit meets a source that no longer has the transfer pending', async () => {
    const processor = processorAnswering({ CompleteTransfer: { state: 'REJECTED', code: 'TRANSFER_NOT_PENDING', message: 'transfer t1 is FAILED' } });
    const anomalies: SagaAnomaly[] = [];
    const saga = createTransferSaga({ processor, ids: systemIds, clock: systemClock, onAnomaly: (a) => anomalies.push(a) });
    await saga.handle({ seq: 9, event: debited });
    expect(processor.steps).toEqual(['CreditTransfer', 'CompleteTransfer']);
    expect(anomalies).toEqual([expect.objectContaining({ kind: 'credited-but-not-pending', transferId: 't1', fromWalletId: 'from', toWalletId: 'to' })]);
  });

  it('takes a refund already made by an earlier run in its stride', async () => {
    const processor = processorAnswering({
      CreditTransfer: { state: 'REJECTED', code: 'WALLET_CLOSED', message: 'closed' },
      FailTransfer: { state: 'REJECTED', code: 'TRANSFER_NOT_PENDING', message: 'transfer t1 is FAILED' },
    });
    const anomalies: SagaAnomaly[] = [];
    const saga = createTransferSaga({ processor, ids: systemIds, clock: systemClock, onAnomaly: (a) => anomalies.push(a) });
    await saga.handle({ seq: 9, event: debited });
    expect(processor.steps).toEqual(['CreditTransfer', 'FailTransfer']);
    expect(anomalies).toEqual([]);
  });

  it('retries (throws) when a step is refused for any other reason', async () => {
    const processor = processorAnswering({ CompleteTransfer: { state: 'REJECTED', code: 'WALLET_NOT_FOUND', message: 'gone' } });
    const saga = createTransferSaga({ processor, ids: systemIds, clock: systemClock });
    await expect(saga.handle({ seq: 9, event: debited })).rejects.toThrow(/CompleteTransfer was refused \(WALLET_NOT_FOUND/);
  });
});
