/**
 * Journal events turned into read-model writes. Pure: the same stored event always yields the
 * same changes, so replaying the journal rebuilds exactly the same read models. Every change
 * carries the event's journal sequence; the store applies it only to documents that have not
 * seen that sequence, which makes redelivery and replay harmless.
 */
import type { WalletEventEnvelope } from '../domain/events.js';
import type { EntryType, LedgerEntryView, ProjectionChange, StoredEvent, TransferView } from '../ports.js';
import { canonicalDecimal, subtractDecimal } from './decimal.js';

export function projectEvent(stored: StoredEvent): ProjectionChange[] {
  const { event } = stored;
  if (event.type === 'AssetRegistered') {
    const { data } = event;
    return [
      {
        kind: 'asset',
        asset: {
          code: data.code,
          decimals: data.decimals,
          networks: [...data.networks],
          minAmount: data.minAmount === null ? null : canonicalDecimal(data.minAmount),
          maxAmount: data.maxAmount === null ? null : canonicalDecimal(data.maxAmount),
        },
      },
    ];
  }
  return projectWalletEvent(stored.seq, event);
}

function projectWalletEvent(seq: number, event: WalletEventEnvelope): ProjectionChange[] {
  const walletId = event.walletId;
  const at = new Date(event.occurredAt);
  const touch = { version: event.version, updatedAt: at };

  const balance = (asset: string, after: { totalAfter: string; reservedAfter: string }): ProjectionChange => {
    const total = canonicalDecimal(after.totalAfter);
    const reserved = canonicalDecimal(after.reservedAfter);
    return {
      kind: 'balance',
      seq,
      balance: { walletId, asset, total, reserved, available: subtractDecimal(total, reserved), ...touch },
    };
  };
  const entry = (
    type: EntryType,
    data: { asset: string; amount: string; totalAfter: string; reservedAfter: string },
    transferId: string | null,
  ): ProjectionChange => ({ kind: 'entry', entry: ledgerEntry(seq, event, type, data, transferId) });
  const moneyMoved = (
    type: EntryType,
    data: { asset: string; amount: string; totalAfter: string; reservedAfter: string },
    transferId: string | null,
  ): ProjectionChange[] => [balance(data.asset, data), entry(type, data, transferId)];
  const transferSet = (id: string, set: Partial<TransferView>): ProjectionChange => ({ kind: 'transfer', id, walletId, seq, set });
  const newTransfer = (
    data: { transferId: string; toWalletId: string; asset: string; amount: string },
    status: 'SCHEDULED' | 'PENDING',
    executeAt: Date | null,
  ): TransferView => ({
    id: data.transferId,
    fromWalletId: walletId,
    toWalletId: data.toWalletId,
    asset: data.asset,
    amount: canonicalDecimal(data.amount),
    status,
    executeAt,
    createdAt: at,
    completedAt: null,
    failureReason: null,
  });

  const wallet: ProjectionChange = { kind: 'wallet', id: walletId, seq, set: { ...touch } };
  switch (event.type) {
    case 'WalletCreated':
      return [
        {
          ...wallet,
          insert: {
            id: walletId,
            ownerId: event.data.ownerId,
            name: event.data.name,
            status: 'ACTIVE',
            version: event.version,
            createdAt: at,
            updatedAt: at,
            createdSeq: seq,
          },
        },
      ];
    case 'WalletRenamed':
      return [{ ...wallet, set: { name: event.data.name, ...touch } }];
    case 'WalletClosed':
      return [{ ...wallet, set: { status: 'CLOSED', ...touch } }];
    case 'FundsDeposited':
      return [wallet, ...moneyMoved('DEPOSIT', event.data, null)];
    case 'FundsWithdrawn':
      return [wallet, ...moneyMoved('WITHDRAWAL', event.data, null)];
    case 'TransferScheduled': {
      const { data } = event;
      const executeAt = new Date(data.executeAt);
      return [
        wallet,
        ...moneyMoved('RESERVE', data, data.transferId),
        { kind: 'transfer', id: data.transferId, walletId, seq, set: {}, insert: newTransfer(data, 'SCHEDULED', executeAt) },
      ];
    }
    case 'TransferRescheduled':
      return [wallet, transferSet(event.data.transferId, { executeAt: new Date(event.data.executeAt) })];
    case 'TransferCancelled':
      return [
        wallet,
        ...moneyMoved('RELEASE', event.data, event.data.transferId),
        transferSet(event.data.transferId, { status: 'CANCELLED', completedAt: at }),
      ];
    case 'TransferDebited': {
      const { data } = event;
      // An immediate transfer starts here; a scheduled one already exists and only moves on.
      return [
        wallet,
        ...moneyMoved('TRANSFER_OUT', data, data.transferId),
        { kind: 'transfer', id: data.transferId, walletId, seq, set: { status: 'PENDING' }, insert: newTransfer(data, 'PENDING', null) },
      ];
    }
    case 'TransferCredited':
      // The destination's side; the transfer's status moves with the source's TransferCompleted.
      return [wallet, ...moneyMoved('TRANSFER_IN', event.data, event.data.transferId)];
    case 'TransferCompleted':
      return [wallet, transferSet(event.data.transferId, { status: 'COMPLETED', completedAt: at })];
    case 'TransferFailed': {
      const { data } = event;
      return [
        wallet,
        ...moneyMoved(data.stage === 'DEBITED' ? 'TRANSFER_REFUND' : 'RELEASE', data, data.transferId),
        transferSet(data.transferId, { status: 'FAILED', completedAt: at, failureReason: data.reason }),
      ];
    }
    default: {
      const unknown: never = event;
      throw new Error(`no projection for event ${JSON.stringify(unknown)}`);
    }
  }
}

function ledgerEntry(
  seq: number,
  envelope: WalletEventEnvelope,
  type: EntryType,
  data: { asset: string; amount: string; totalAfter: string; reservedAfter: string },
  transferId: string | null,
): LedgerEntryView {
  return {
    id: envelope.id,
    walletId: envelope.walletId,
    asset: data.asset,
    type,
    amount: canonicalDecimal(data.amount),
    totalAfter: canonicalDecimal(data.totalAfter),
    reservedAfter: canonicalDecimal(data.reservedAfter),
    transferId,
    commandId: envelope.commandId,
    version: envelope.version,
    occurredAt: new Date(envelope.occurredAt),
    seq,
  };
}
