/** Stable, machine-readable reasons a command is refused. Clients branch on these; never rename one. */
export const REJECTION_CODES = [
  'INVALID_AMOUNT',
  'INVALID_NAME',
  'UNKNOWN_ASSET',
  'UNSUPPORTED_NETWORK',
  'INSUFFICIENT_FUNDS',
  'WALLET_NOT_FOUND',
  'WALLET_EXISTS',
  'WALLET_CLOSED',
  'WALLET_NOT_EMPTY',
  'SAME_WALLET',
  'TRANSFER_NOT_FOUND',
  'TRANSFER_NOT_CANCELLABLE',
  'TRANSFER_NOT_PENDING',
  'INVALID_SCHEDULE',
  'ASSET_EXISTS',
  'INVALID_ASSET',
  'FORBIDDEN',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

export type Rejection = Readonly<{ code: RejectionCode; message: string }>;

export const reject = (code: RejectionCode, message: string): Rejection => ({ code, message });
