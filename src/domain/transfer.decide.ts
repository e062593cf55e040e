import type {
  CancelTransfer,
  CompleteTransfer,
  CreditTransfer,
  ExecuteScheduledTransfer,
  FailTransfer,
  RequestTransfer,
  RescheduleTransfer,
} from './commands.js';
import { accepted, rejected, type Decision } from './decision.js';
import type { WalletEvent } from './events.js';
import { checkAmount, checkPositiveAmount, formatAmount } from './money.js';
import { reject } from './rejection.js';
import { reasonCodeOf } from './upcast.js';
import { changeBalance, checkFunds, checkInstant, findAsset, nowOf, type WalletContext } from './wallet.rules.js';
import { balanceOf, type OpenTransfer, type WalletState } from './wallet.state.js';

/**
 * A transfer's steps as seen by one wallet. The source reserves (scheduled) or debits
 * (immediate); the saga then credits the destination and completes the source, or fails it
 * and the source gets its money back. The caller has already checked who acts and that this
 * wallet exists and is open.
 */

/** Why the destination cannot take a transfer, in the saga's reason format; null when it can (or is unknown: the saga decides then). */
const destinationRefusal = (destination: WalletState | undefined, toWalletId: string): string | null => {
  if (destination === undefined) return null;
  if (!destination.exists) return `WALLET_NOT_FOUND: destination wallet ${toWalletId} does not exist`;
  if (destination.status === 'CLOSED') return `WALLET_CLOSED: destination wallet ${toWalletId} is closed`;
  return null;
};

export const requestTransfer = (command: RequestTransfer, state: WalletState, ctx: WalletContext): Decision<WalletEvent> => {
  const { walletId, transferId, toWalletId, executeAt } = command.data;
  if (walletId === toWalletId) return rejected(reject('SAME_WALLET', 'a transfer needs two different wallets'));
  const asset = findAsset(ctx.assets, command.data.asset);
  if (!asset.ok) return rejected(asset.rejection);
  const { value: definition } = asset;
  const amount = checkAmount(command.data.amount, definition);
  if (!amount.ok) return rejected(amount.rejection);
  const destination = ctx.counterparty;
  if (!destination?.exists) return rejected(reject('WALLET_NOT_FOUND', `destination wallet ${toWalletId} does not exist`));
  if (destination.status === 'CLOSED') return rejected(reject('WALLET_CLOSED', `destination wallet ${toWalletId} is closed`));
  const balance = balanceOf(state, definition.code);
  const short = checkFunds(definition, balance, amount.units);
  if (short) return rejected(short);
  const common = { transferId, toWalletId, asset: definition.code, amount: formatAmount(amount.units, definition.decimals) };

  if (executeAt !== undefined) {
    const when = checkInstant(executeAt);
    if (!when.ok) return rejected(when.rejection);
    if (when.value.ms > nowOf(command.metadata.now)) {
      return changeBalance(definition, { total: balance.total, reserved: balance.reserved + amount.units }, (after) => ({
        type: 'TransferScheduled',
        data: { ...common, executeAt: when.value.iso, ...after },
      }));
    }
  }
  return changeBalance(definition, { total: balance.total - amount.units, reserved: balance.reserved }, (after) => ({
    type: 'TransferDebited',
    data: { ...common, ...after },
  }));
};

export const cancelTransfer = (command: CancelTransfer, state: WalletState, ctx: WalletContext): Decision<WalletEvent> => {
  const { transferId } = command.data;
  const open = state.openTransfers.get(transferId);
  if (!open) return rejected(notFound(transferId));
  if (open.status !== 'SCHEDULED') {
    return rejected(reject('TRANSFER_NOT_CANCELLABLE', `transfer ${transferId} has already started and can no longer be changed`));
  }
  const asset = findAsset(ctx.assets, open.asset);
  if (!asset.ok) return rejected(asset.rejection);
  const balance = balanceOf(state, open.asset);
  return changeBalance(asset.value, { total: balance.total, reserved: balance.reserved - open.amount }, (after) => ({
    type: 'TransferCancelled',
    data: { transferId, asset: open.asset, amount: formatAmount(open.amount, asset.value.decimals), ...after },
  }));
};

export const rescheduleTransfer = (command: RescheduleTransfer, state: WalletState): Decision<WalletEvent> => {
  const { transferId, executeAt } = command.data;
  const open = state.openTransfers.get(transferId);
  if (!open) return rejected(notFound(transferId));
  if (open.status !== 'SCHEDULED') {
    return rejected(reject('TRANSFER_NOT_CANCELLABLE', `transfer ${transferId} has already started and can no longer be changed`));
  }
  const when = checkInstant(executeAt);
  if (!when.ok) return rejected(when.rejection);
  if (when.value.ms <= nowOf(command.metadata.now)) {
    return rejected(reject('INVALID_SCHEDULE', `the new time ${when.value.iso} is not in the future (now ${command.metadata.now})`));
  }
  return accepted({ type: 'TransferRescheduled', data: { transferId, executeAt: when.value.iso } });
};

/** The scheduler's order to run a due transfer: it then moves money exactly like an immediate one. */
export const executeScheduledTransfer = (
  command: ExecuteScheduledTransfer,
  state: WalletState,
  ctx: WalletContext,
): Decision<WalletEvent> => {
  const { transferId } = command.data;
  const open = state.openTransfers.get(transferId);
  if (open?.status !== 'SCHEDULED') return rejected(notPending(transferId, open, 'scheduled'));
  // The scheduler reads a read model that may lag a reschedule: only the time it was due at counts.
  const when = checkInstant(command.data.executeAt);
  if (!when.ok || when.value.iso !== open.executeAt) {
    return rejected(reject('INVALID_SCHEDULE', `transfer ${transferId} is now due at ${open.executeAt}, not ${command.data.executeAt}`));
  }
  if (nowOf(command.metadata.now) < when.value.ms) {
    return rejected(reject('INVALID_SCHEDULE', `transfer ${transferId} is not due before ${open.executeAt}`));
  }
  const asset = findAsset(ctx.assets, open.asset);
  if (!asset.ok) return rejected(asset.rejection);
  const balance = balanceOf(state, open.asset);
  // A destination that closed (or vanished) while the transfer waited cannot take it: fail now and
  // release the reservation, rather than debit and put money in flight only to refund it.
  const refusal = destinationRefusal(ctx.counterparty, open.toWalletId);
  if (refusal) {
    return changeBalance(asset.value, { total: balance.total, reserved: balance.reserved - open.amount }, (after) => ({
      type: 'TransferFailed',
      data: {
        transferId,
        asset: open.asset,
        amount: formatAmount(open.amount, asset.value.decimals),
        reason: refusal,
        reasonCode: reasonCodeOf(refusal),
        stage: 'RESERVED',
        ...after,
      },
    }));
  }
  return changeBalance(asset.value, { total: balance.total - open.amount, reserved: balance.reserved - open.amount }, (after) => ({
    type: 'TransferDebited',
    data: { transferId, toWalletId: open.toWalletId, asset: open.asset, amount: formatAmount(open.amount, asset.value.decimals), ...after },
  }));
};

/**
 * On the destination. No min/max here: the amount passed them at the source, and a credit
 * refused for a limit changed since would only bounce the money back.
 */
export const creditTransfer = (command: CreditTransfer, state: WalletState, ctx: WalletContext): Decision<WalletEvent> => {
  const { transferId, fromWalletId } = command.data;
  const asset = findAsset(ctx.assets, command.data.asset);
  if (!asset.ok) return rejected(asset.rejection);
  const amount = checkPositiveAmount(command.data.amount, asset.value);
  if (!amount.ok) return rejected(amount.rejection);
  const balance = balanceOf(state, asset.value.code);
  return changeBalance(asset.value, { total: balance.total + amount.units, reserved: balance.reserved }, (after) => ({
    type: 'TransferCredited',
    data: { transferId, fromWalletId, asset: asset.value.code, amount: formatAmount(amount.units, asset.value.decimals), ...after },
  }));
};

export const completeTransfer = (command: CompleteTransfer, state: WalletState): Decision<WalletEvent> => {
  const { transferId, creditSeq } = command.data;
  const open = state.openTransfers.get(transferId);
  if (open?.status !== 'PENDING') return rejected(notPending(transferId, open, 'in flight'));
  return accepted({ type: 'TransferCompleted', data: creditSeq === undefined ? { transferId } : { transferId, creditSeq } });
};

/** In flight: the debit is refunded. Still scheduled (it could not even start): the reservation is released. */
export const failTransfer = (command: FailTransfer, state: WalletState, ctx: WalletContext): Decision<WalletEvent> => {
  const { transferId, reason } = command.data;
  const open = state.openTransfers.get(transferId);
  if (!open) return rejected(notPending(transferId, open, 'open'));
  const asset = findAsset(ctx.assets, open.asset);
  if (!asset.ok) return rejected(asset.rejection);
  const balance = balanceOf(state, open.asset);
  const debited = open.status === 'PENDING';
  const next = debited
    ? { total: balance.total + open.amount, reserved: balance.reserved }
    : { total: balance.total, reserved: balance.reserved - open.amount };
  return changeBalance(asset.value, next, (after) => ({
    type: 'TransferFailed',
    data: {
      transferId,
      asset: open.asset,
      amount: formatAmount(open.amount, asset.value.decimals),
      reason,
      reasonCode: reasonCodeOf(reason),
      stage: debited ? 'DEBITED' : 'RESERVED',
      ...after,
    },
  }));
};

const notFound = (transferId: string) => reject('TRANSFER_NOT_FOUND', `transfer ${transferId} is not open on this wallet`);

const notPending = (transferId: string, open: OpenTransfer | undefined, expected: string) =>
  reject(
    'TRANSFER_NOT_PENDING',
    open
      ? `transfer ${transferId} is ${open.status.toLowerCase()}, not ${expected}`
      : `transfer ${transferId} is not open on this wallet (finished or never started here)`,
  );
