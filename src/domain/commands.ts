import type { CommandMetadata } from './metadata.js';

/**
 * Commands are orders. Amounts stay decimal strings here: only the decider knows the asset's
 * scale, so parsing (and rejecting) an amount is a domain decision, not a transport concern.
 */
type Command<T extends string, D> = Readonly<{ type: T; data: Readonly<D>; metadata: CommandMetadata }>;

export type CreateWallet = Command<'CreateWallet', { walletId: string; ownerId: string; name: string }>;
export type RenameWallet = Command<'RenameWallet', { walletId: string; name: string }>;
export type CloseWallet = Command<'CloseWallet', { walletId: string }>;
export type Deposit = Command<'Deposit', { walletId: string; asset: string; amount: string; network?: string | undefined }>;
export type Withdraw = Command<'Withdraw', { walletId: string; asset: string; amount: string; network?: string | undefined }>;

/** Sent to the source wallet. `executeAt` after `metadata.now` schedules it; otherwise it runs now. */
export type RequestTransfer = Command<
  'RequestTransfer',
  { walletId: string; transferId: string; toWalletId: string; asset: string; amount: string; executeAt?: string | undefined }
>;
export type CancelTransfer = Command<'CancelTransfer', { walletId: string; transferId: string }>;
export type RescheduleTransfer = Command<'RescheduleTransfer', { walletId: string; transferId: string; executeAt: string }>;
/** Sent by the scheduler when a scheduled transfer is due; `executeAt` guards against a stale schedule. */
export type ExecuteScheduledTransfer = Command<'ExecuteScheduledTransfer', { walletId: string; transferId: string; executeAt: string }>;
/** Saga step on the destination wallet. */
export type CreditTransfer = Command<
  'CreditTransfer',
  { walletId: string; transferId: string; fromWalletId: string; asset: string; amount: string }
>;
/** Saga step on the source wallet once the destination was credited. */
/** `creditSeq`: where the destination's credit landed in the journal (see TransferCompleted). */
export type CompleteTransfer = Command<'CompleteTransfer', { walletId: string; transferId: string; creditSeq?: number }>;
/** Saga step on the source wallet when the destination refused: refund the debit. */
export type FailTransfer = Command<'FailTransfer', { walletId: string; transferId: string; reason: string }>;

export type WalletCommand =
  | CreateWallet
  | RenameWallet
  | CloseWallet
  | Deposit
  | Withdraw
  | RequestTransfer
  | CancelTransfer
  | RescheduleTransfer
  | ExecuteScheduledTransfer
  | CreditTransfer
  | CompleteTransfer
  | FailTransfer;

export type RegisterAsset = Command<
  'RegisterAsset',
  { code: string; decimals: number; networks: readonly string[]; minAmount?: string | undefined; maxAmount?: string | undefined }
>;

export type AssetCommand = RegisterAsset;

export type AnyCommand = WalletCommand | AssetCommand;
export type CommandType = AnyCommand['type'];
