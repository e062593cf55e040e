/**
 * Drives an immediate (or just-executed scheduled) transfer after `TransferDebited`:
 * credit the destination, then complete; or, if the destination refuses, refund the source.
 *
 * Every step is a command with an id derived from the transfer id, so a crash between any two
 * steps and the redelivery that follows replays the steps as no-ops up to where it stopped.
 * A refused credit is recorded as an outcome and read back before deciding again, so a retried
 * saga never turns a refusal into a credit after the source was refunded.
 */
import type { WalletCommand } from '../domain/commands.js';
import type { EventEnvelope } from '../domain/events.js';
import type { Clock, CommandMessage, Ids, StoredEvent } from '../ports.js';
import type { Processor } from './processor.js';

export type TransferSaga = { handle(stored: StoredEvent): Promise<void> };

/** A saga step's command without its metadata: one of the wallet commands, type and data together. */
type Step = WalletCommand extends infer C ? (C extends WalletCommand ? Readonly<{ type: C['type']; data: C['data'] }> : never) : never;

/**
 * Something the journal says that should never happen. `credited-but-not-pending`: the saga's own
 * credit was accepted, yet the source no longer had the transfer pending (refunded or completed by
 * another path): money may exist twice. Not retried (it cannot heal itself), but never silent.
 */
export type SagaAnomaly = Readonly<{ kind: 'credited-but-not-pending'; transferId: string; fromWalletId: string; toWalletId: string; detail: string }>;

export function createTransferSaga(deps: { processor: Processor; ids: Ids; clock: Clock; onAnomaly?: (anomaly: SagaAnomaly) => void }): TransferSaga {
  const { processor, ids, clock } = deps;

  const systemCommand = (source: EventEnvelope, transferId: string, step: string, command: Step): CommandMessage => ({
    ...command,
    metadata: {
      commandId: ids.derive(`transfer:${transferId}:${step}`),
      correlationId: source.correlationId,
      actor: 'system',
      admin: true,
      issuedAt: clock.now().toISOString(),
    },
  });

  // The processor reuses a recorded decision and records a new one before we move on.
  const step = (command: CommandMessage) => processor.process(command);

  return {
    async handle({ event }) {
      if (event.type !== 'TransferDebited') return;
      const { data } = event;
      const credit = await step(
        systemCommand(event, data.transferId, 'credit', {
          type: 'CreditTransfer',
          data: { walletId: data.toWalletId, transferId: data.transferId, fromWalletId: event.walletId, asset: data.asset, amount: data.amount },
        }),
      );
      const finish =
        credit.state === 'ACCEPTED'
          ? systemCommand(event, data.transferId, 'complete', {
              type: 'CompleteTransfer',
              data: { walletId: event.walletId, transferId: data.transferId, creditSeq: credit.journalSeq },
            })
          : systemCommand(event, data.transferId, 'fail', {
              type: 'FailTransfer',
              data: {
                walletId: event.walletId,
                transferId: data.transferId,
                reason: `${credit.code ?? 'REJECTED'}: ${credit.message ?? 'the destination refused the credit'}`,
              },
            });
      const finished = await step(finish);
      if (finished.state === 'ACCEPTED') return;
      if (finished.code !== 'TRANSFER_NOT_PENDING') {
        throw new Error(`transfer ${data.transferId}: ${finish.type} was refused (${finished.code}: ${finished.message})`);
      }
      // After a refused credit, a transfer no longer pending was already refunded (a retried saga): fine.
      if (credit.state === 'ACCEPTED') {
        deps.onAnomaly?.({
          kind: 'credited-but-not-pending',
          transferId: data.transferId,
          fromWalletId: event.walletId,
          toWalletId: data.toWalletId,
          detail: `the destination was credited, but completing the source was refused: ${finished.message ?? finished.code}`,
        });
      }
    },
  };
}
