/**
 * What the application needs from the outside world, and nothing more. Infrastructure adapters
 * (NATS, MongoDB) implement these; in-memory versions serve the app layer's unit tests.
 */
import type { AnyCommand } from './domain/commands.js';
import type { EventEnvelope } from './domain/events.js';

// ---------------------------------------------------------------- journal

export type AggregateRef = Readonly<{ kind: 'wallet' | 'asset'; id: string }>;

/** An event as stored in the journal, with its stream-wide sequence number. */
export type StoredEvent = Readonly<{ seq: number; event: EventEnvelope }>;

export interface Journal {
  /** The aggregate's events with a journal sequence above `afterSeq`, in order. */
  read(ref: AggregateRef, afterSeq?: number): Promise<StoredEvent[]>;
  /**
   * Appends one event if the aggregate's last event is still `expectedLastSeq` (0: none yet).
   * Throws ConcurrencyError when another writer got there first.
   */
  append(ref: AggregateRef, event: EventEnvelope, expectedLastSeq: number): Promise<{ seq: number }>;
  /** Every asset event, for the catalog. */
  readAssets(): Promise<StoredEvent[]>;
}

export class ConcurrencyError extends Error {
  constructor(readonly ref: AggregateRef, readonly expectedLastSeq: number, options?: ErrorOptions) {
    super(`${ref.kind} ${ref.id} moved past sequence ${expectedLastSeq}`, options);
    this.name = 'ConcurrencyError';
  }
}

// ---------------------------------------------------------------- commands

/** A command on the wire: the API stamps who and when; the processor adds its decision time. */
export type CommandMessage = Readonly<{
  type: AnyCommand['type'];
  data: AnyCommand['data'];
  metadata: Readonly<{
    commandId: string;
    correlationId: string;
    actor: string;
    admin: boolean;
    issuedAt: string;
    /** Hash of the caller's input, carried into the outcome so a reused idempotency key with other input is caught. */
    fingerprint?: string | undefined;
  }>;
}>;

export interface CommandBus {
  /** Resolves once the command is durably stored (JetStream ack); a repeat of the same commandId is deduplicated. */
  publish(command: CommandMessage): Promise<void>;
}

export type CommandState = 'QUEUED' | 'ACCEPTED' | 'REJECTED';

export type CommandOutcome = Readonly<{
  commandId: string;
  state: CommandState;
  code?: string | undefined;
  message?: string | undefined;
  walletId?: string | undefined;
  transferId?: string | undefined;
  /** Of the accepted event: lets PROJECTED consistency wait for exactly this event. */
  aggregateVersion?: number | undefined;
  journalSeq?: number | undefined;
  /** Hash of the request that first used this command id: a reused idempotency key with other input is refused. */
  fingerprint?: string | undefined;
  at: string;
}>;

/** Durable record of each command's fate, kept at least 7 days (longer than JetStream's dedupe window). */
export interface OutcomeStore {
  get(commandId: string): Promise<CommandOutcome | null>;
  /** Stores a QUEUED outcome unless one exists; returns the existing one when it does. */
  createQueued(outcome: CommandOutcome): Promise<CommandOutcome | null>;
  /** Stores a decision (ACCEPTED or REJECTED), replacing QUEUED. */
  recordDecision(outcome: CommandOutcome): Promise<void>;
  /** Resolves with the first outcome for `commandId` that satisfies `until`, or null after `timeoutMs`. */
  waitFor(commandId: string, until: (o: CommandOutcome) => boolean, timeoutMs: number): Promise<CommandOutcome | null>;
  /** Every change to `commandId`'s outcome, starting with the current one if any. */
  watch(commandId: string, signal: AbortSignal): AsyncIterable<CommandOutcome>;
}

// ---------------------------------------------------------------- read models

export type WalletStatus = 'ACTIVE' | 'CLOSED';
export type EntryType = 'DEPOSIT' | 'WITHDRAWAL' | 'TRANSFER_OUT' | 'TRANSFER_IN' | 'TRANSFER_REFUND' | 'RESERVE' | 'RELEASE';
export type TransferStatus = 'SCHEDULED' | 'PENDING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export type WalletView = Readonly<{
  id: string;
  ownerId: string;
  name: string;
  status: WalletStatus;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Journal sequence of WalletCreated: a stable, monotonic pagination key. */
  createdSeq: number;
}>;

/** Amounts are canonical decimal strings ("1.5", "0"). */
export type BalanceView = Readonly<{
  walletId: string;
  asset: string;
  total: string;
  reserved: string;
  available: string;
  version: number;
  updatedAt: Date;
}>;

export type LedgerEntryView = Readonly<{
  id: string;
  walletId: string;
  asset: string;
  type: EntryType;
  amount: string;
  totalAfter: string;
  reservedAfter: string;
  transferId: string | null;
  commandId: string;
  version: number;
  occurredAt: Date;
  seq: number;
}>;

export type TransferView = Readonly<{
  id: string;
  fromWalletId: string;
  toWalletId: string;
  asset: string;
  amount: string;
  status: TransferStatus;
  executeAt: Date | null;
  createdAt: Date;
  completedAt: Date | null;
  failureReason: string | null;
}>;

export type AssetView = Readonly<{
  code: string;
  decimals: number;
  networks: readonly string[];
  minAmount: string | null;
  maxAmount: string | null;
}>;

export type Page<T> = Readonly<{ items: T[]; hasNextPage: boolean }>;

/**
 * One journal event turned into idempotent writes. Each patch is "set these fields as of journal
 * sequence `seq`"; a store applies it only if the document has not seen that sequence yet.
 */
export type ProjectionChange =
  | Readonly<{ kind: 'wallet'; id: string; seq: number; set: Partial<WalletView>; insert?: WalletView }>
  | Readonly<{ kind: 'balance'; seq: number; balance: BalanceView }>
  | Readonly<{ kind: 'entry'; entry: LedgerEntryView }>
  | Readonly<{ kind: 'transfer'; id: string; seq: number; set: Partial<TransferView>; insert?: TransferView }>
  | Readonly<{ kind: 'asset'; asset: AssetView }>;

export interface ReadStore {
  /** The last journal sequence fully applied; 0 for an empty database. */
  checkpoint(): Promise<number>;
  /** Applies the changes of events up to `uptoSeq` and moves the checkpoint, idempotently. */
  apply(changes: readonly ProjectionChange[], uptoSeq: number): Promise<void>;

  walletsByIds(ids: readonly string[]): Promise<WalletView[]>;
  listWallets(q: { ownerId?: string | undefined; status?: WalletStatus | undefined; first: number; afterSeq?: number | undefined }): Promise<Page<WalletView>>;
  balancesByWalletIds(ids: readonly string[]): Promise<BalanceView[]>;
  /** The balance as it stood at `at`: the last ledger entry at or before it; null if none. */
  balanceAt(walletId: string, asset: string, at: Date): Promise<BalanceView | null>;
  ledgerEntries(q: { walletId: string; asset?: string | undefined; first: number; beforeSeq?: number | undefined }): Promise<Page<LedgerEntryView>>;
  ledgerEntriesByIds(ids: readonly string[]): Promise<LedgerEntryView[]>;
  transfersByIds(ids: readonly string[]): Promise<TransferView[]>;
  transfersOfWallets(walletIds: readonly string[], status?: TransferStatus): Promise<TransferView[]>;
  /** Scheduled transfers whose time has come, oldest first. */
  dueTransfers(now: Date, limit: number): Promise<TransferView[]>;
  assets(): Promise<AssetView[]>;
}

// ---------------------------------------------------------------- live notifications

/** Sent by the projector after the write, so a client that reacts by querying sees the same numbers. */
export type LiveNotification =
  | Readonly<{ kind: 'balance'; balance: BalanceView }>
  | Readonly<{ kind: 'entry'; entry: LedgerEntryView }>
  | Readonly<{ kind: 'transfer'; transfer: TransferView }>
  | Readonly<{ kind: 'wallet'; walletId: string; version: number }>;

export type LiveTopic =
  | Readonly<{ kind: 'balance'; walletId: string }>
  | Readonly<{ kind: 'entry'; walletId: string }>
  | Readonly<{ kind: 'transfer'; transferId: string }>
  | Readonly<{ kind: 'wallet'; walletId: string }>;

export interface LiveBus {
  publish(notifications: readonly LiveNotification[]): Promise<void>;
  /**
   * Notifications on `topic` until `signal` aborts. Resolves once the subscription is active at
   * the server: state read after that cannot miss a change (dedupe by version instead).
   */
  subscribe(topic: LiveTopic, signal: AbortSignal): Promise<AsyncIterable<LiveNotification>>;
}

// ---------------------------------------------------------------- time and ids

export interface Clock {
  now(): Date;
}

export interface Ids {
  /** A fresh random id (UUID v4). */
  random(): string;
  /** A deterministic id (UUID v5) for a name: the same name always gives the same id. */
  derive(name: string): string;
}
