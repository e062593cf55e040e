/**
 * A wallet forgets a transfer once it ends (its state stays bounded), so the domain answers
 * TRANSFER_NOT_FOUND to a cancel or reschedule of an ended one. The caller deserves better: the
 * transfer exists and cannot be changed because it is over. That answer comes from the wallet's
 * history, read only on this rare path.
 */
import type { CommandOutcome, CommandMessage, Journal } from '../ports.js';

type FinalStatus = 'COMPLETED' | 'FAILED' | 'CANCELLED';

const FINAL = { TransferCompleted: 'COMPLETED', TransferFailed: 'FAILED', TransferCancelled: 'CANCELLED' } as const satisfies Record<string, FinalStatus>;

export async function endedTransferStatus(journal: Journal, walletId: string, transferId: string): Promise<FinalStatus | null> {
  const events = await journal.read({ kind: 'wallet', id: walletId });
  for (let i = events.length - 1; i >= 0; i--) {
    const { event } = events[i]!;
    if (event.type !== 'TransferCompleted' && event.type !== 'TransferFailed' && event.type !== 'TransferCancelled') continue;
    if (event.data.transferId === transferId) return FINAL[event.type];
  }
  return null;
}

/** TRANSFER_NOT_FOUND for a cancel or reschedule of a transfer that has ended becomes TRANSFER_NOT_CANCELLABLE, naming how it ended. */
export async function explainEndedTransfer(journal: Journal, command: CommandMessage, outcome: CommandOutcome): Promise<CommandOutcome> {
  if (outcome.state !== 'REJECTED' || outcome.code !== 'TRANSFER_NOT_FOUND') return outcome;
  if (command.type !== 'CancelTransfer' && command.type !== 'RescheduleTransfer') return outcome;
  const { walletId, transferId } = command.data;
  const status = await endedTransferStatus(journal, walletId, transferId);
  if (status === null) return outcome;
  return { ...outcome, code: 'TRANSFER_NOT_CANCELLABLE', message: `transfer ${transferId} has already ended: ${status}` };
}
