/**
 * Events are facts, named in the past tense, with the payloads of contract/events.md.
 * Amounts are decimal strings in the asset's scale: the journal is read by other services and
 * operators with the NATS CLI, so it speaks the same exact format as the API.
 */
type Event<T extends string, D> = Readonly<{ type: T; data: Readonly<D> }>;

export type WalletCreated = Event<'WalletCreated', { ownerId: string; name: string }>;
export type WalletRenamed = Event<'WalletRenamed', { name: string }>;
export type WalletClosed = Event<'WalletClosed', Record<string, never>>;
/**
 * Every balance-changing event carries both `totalAfter` and `reservedAfter` (the contract lets
 * payloads gain fields): a projection then sets the balance from the event alone, which makes it
 * idempotent and lets time travel read one ledger entry instead of summing history.
 */
type BalanceAfter = { totalAfter: string; reservedAfter: string };

export type FundsDeposited = Event<'FundsDeposited', { asset: string; amount: string; network: string } & BalanceAfter>;
export type FundsWithdrawn = Event<'FundsWithdrawn', { asset: string; amount: string; network: string } & BalanceAfter>;
export type TransferScheduled = Event<
  'TransferScheduled',
  { transferId: string; toWalletId: string; asset: string; amount: string; executeAt: string } & BalanceAfter
>;
export type TransferRescheduled = Event<'TransferRescheduled', { transferId: string; executeAt: string }>;
export type TransferCancelled = Event<'TransferCancelled', { transferId: string; asset: string; amount: string } & BalanceAfter>;
export type TransferDebited = Event<
  'TransferDebited',
  { transferId: string; toWalletId: string; asset: string; amount: string } & BalanceAfter
>;
export type TransferCredited = Event<
  'TransferCredited',
  { transferId: string; fromWalletId: string; asset: string; amount: string } & BalanceAfter
>;
/**
 * `creditSeq`: the journal sequence of the destination's TransferCredited. Read models are projected
 * per shard, so the source's completion could otherwise become visible before the destination's
 * credit; a projector holds the completion back until the credit's shard has projected it.
 */
export type TransferCompleted = Event<'TransferCompleted', { transferId: string; creditSeq?: number }>;
export type TransferFailed = Event<
  'TransferFailed',
  {
    transferId: string;
    asset: string;
    amount: string;
    reason: string;
    /** The code at the head of `reason` (see reasonCodeOf): what a consumer branches on. Schema version 2. */
    reasonCode: string;
    /** DEBITED: the money was in flight and is refunded; RESERVED: only the reservation is released. */
    stage: 'DEBITED' | 'RESERVED';
  } & BalanceAfter
>;

export type WalletEvent =
  | WalletCreated
  | WalletRenamed
  | WalletClosed
  | FundsDeposited
  | FundsWithdrawn
  | TransferScheduled
  | TransferRescheduled
  | TransferCancelled
  | TransferDebited
  | TransferCredited
  | TransferCompleted
  | TransferFailed;

export type AssetRegistered = Event<
  'AssetRegistered',
  { code: string; decimals: number; networks: readonly string[]; minAmount: string | null; maxAmount: string | null }
>;
export type AssetEvent = AssetRegistered;

export type DomainEvent = WalletEvent | AssetEvent;
export type EventType = DomainEvent['type'];

/** What the journal adds to every event: who, when, where it stands in its aggregate's history. */
export type EnvelopeFields = Readonly<{
  id: string;
  /** `version` counts the aggregate's own events from 1 with no gaps. */
  version: number;
  occurredAt: string;
  commandId: string;
  correlationId: string;
  actor: string;
  /**
   * The shape of `data`, per event type (see upcast.ts). Readers always see the current shape:
   * the journal decoder upcasts older events, so code past the decoder never branches on it.
   */
  schemaVersion: number;
}>;

/**
 * The journal envelope: one JSON message per event on `evt.wallet.<shard>.<id>` or
 * `evt.asset.<code>`. It *is* the event (`type` and `data` side by side, still one discriminated
 * union) with the journal's fields beside it, so a `switch` on `type` narrows `data` without a cast.
 * A wallet event names its wallet, an asset event its asset code, never both.
 */
export type WalletEventEnvelope<E extends WalletEvent = WalletEvent> = E extends WalletEvent
  ? Readonly<E & EnvelopeFields & { walletId: string; assetCode?: undefined }>
  : never;
export type AssetEventEnvelope<E extends AssetEvent = AssetEvent> = E extends AssetEvent
  ? Readonly<E & EnvelopeFields & { assetCode: string; walletId?: undefined }>
  : never;
export type EventEnvelope = WalletEventEnvelope | AssetEventEnvelope;

/** The envelope an event of `E` is stored in. */
export type EnvelopeOf<E extends DomainEvent> = E extends WalletEvent ? WalletEventEnvelope<E> : E extends AssetEvent ? AssetEventEnvelope<E> : never;

/** Every event type, for decoders and audits; the check below fails to compile when one is missing. */
export const EVENT_TYPES = [
  'WalletCreated',
  'WalletRenamed',
  'WalletClosed',
  'FundsDeposited',
  'FundsWithdrawn',
  'TransferScheduled',
  'TransferRescheduled',
  'TransferCancelled',
  'TransferDebited',
  'TransferCredited',
  'TransferCompleted',
  'TransferFailed',
  'AssetRegistered',
] as const satisfies readonly EventType[];

type Missing = Exclude<EventType, (typeof EVENT_TYPES)[number]>;
export const everyEventTypeListed: Missing extends never ? true : Missing = true;
