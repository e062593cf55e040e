/**
 * What the application needs from the outside world, and nothing more. Infrastructure adapters
 * (NATS, MongoDB) implement these; in-memory versions serve the app layer's unit tests.
 */
import type { AnyCommand } from './domain/commands.js';
import type { EventEnvelope } from './domain/events.js';

// ---------------------------------------------------------------- journal

export type AggregateRef = Readonly<{ kind: 'wallet' | 'asset'; id: string }>;

/**
 * The W3C `traceparent` a message travelled with, so one trace follows a command from the API to
 * the subscriber across processes. Opaque to the app: it only hands it on. Absent when tracing is off.
 */
export type TraceContext = string;

/** An event as stored in the journal, with its stream-wide sequence number (and its trace, when traced). */
export type StoredEvent = Readonly<{ seq: number; event: EventEnvelope; trace?: TraceContext | undefined }>;

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
  /**
   * Resolves once the command is durably stored (JetStream ack); a repeat of the same commandId is
   * deduplicated. `firstTime`: the caller knows no copy of this command id was ever sent before
   * (it just created its QUEUED record), so a processor may skip looking for an earlier decision.
   */
  publish(command: CommandMessage, options?: { firstTime?: boolean }): Promise<void>;
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
  /** `walletId`: the source wallet, whose shard keeps the transfer (only the source's events change it). */
  | Readonly<{ kind: 'transfer'; id: string; walletId: string; seq: number; set: Partial<TransferView>; insert?: TransferView }>
  | Readonly<{ kind: 'asset'; asset: AssetView }>;

export interface ReadStore {
  /** The shard's checkpoint: every event of the shard up to this journal sequence is in the read models; 0 before any. */
  checkpoint(shard: ShardId): Promise<number>;

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

// ---------------------------------------------------------------- projection (the read models' write side)

/**
 * A projection shard: "0" … "<S-1>" for wallets (by a stable hash of the wallet id), "assets" for
 * the catalog. Every read-model document belongs to exactly one shard (a transfer to its source
 * wallet's), so shards can be projected independently, each in journal order.
 */
export type ShardId = string;

/**
 * The right to write one shard's read models: the fencing epoch its owner got when it claimed the
 * shard. Stores write the epoch with every document and checkpoint and refuse to go back to a
 * lower one, so an owner that lost its lease (paused past it, partitioned) cannot overwrite its
 * successor, nor move the checkpoint.
 */
export type Fence = Readonly<{
  shard: ShardId;
  epoch: number;
  /** Throws LeaseLostError once the lease may have passed to another instance; called right before each write. */
  check(): void;
}>;

export class LeaseLostError extends Error {
  constructor(readonly shard: ShardId, reason: string) {
    super(`lost the lease on shard ${shard}: ${reason}`);
    this.name = 'LeaseLostError';
  }
}

export type ShardCheckpoint = Readonly<{ shard: ShardId; seq: number; epoch: number }>;

/** Where the projector writes: read models and per-shard checkpoints, all fenced. */
export interface ProjectionStore {
  /** Every shard checkpoint recorded so far. */
  checkpoints(): Promise<ShardCheckpoint[]>;
  /**
   * Starts a new ownership of the shard: returns a fresh epoch, higher than any before, and the
   * shard's checkpoint. Claiming is what fences the previous owner out.
   */
  claim(shard: ShardId): Promise<{ epoch: number; checkpoint: number }>;
  /** Writes the changes of some of the shard's events, idempotently (see ProjectionChange). */
  write(changes: readonly ProjectionChange[], fence: Fence): Promise<void>;
  /** Moves the shard's checkpoint forward to `uptoSeq`; throws LeaseLostError if another epoch owns the shard now. */
  advance(uptoSeq: number, fence: Fence): Promise<void>;
}

/** One shard's events from the journal, strictly in order, never skipping one. */
export interface JournalFeed {
  /**
   * Hands the shard's events after `afterSeq` to `handle`, one batch at a time (whatever arrived
   * while the previous batch ran, up to a bound), until stopped or `handle` throws.
   * `pending` counts the shard's events left in the journal after the batch.
   */
  follow(shard: ShardId, afterSeq: number, handle: (batch: StoredEvent[], pending: number) => Promise<void>): FeedHandle;
}

export type FeedHandle = {
  /** Settles when the feed ends: resolves after `stop`, rejects with what broke it otherwise. */
  readonly done: Promise<void>;
  /** Stops after the batch in hand; resolves when it is finished. */
  stop(): Promise<void>;
};

/**
 * A projector instance. `space` names where its `pid` means something (one host, boot and pid
 * namespace): another instance of the same space can tell for certain that the holder is gone.
 */
export type LeaseHolder = Readonly<{ owner: string; space: string; pid: number }>;

/** The right to project one shard, for a TTL. The fencing epoch comes from claiming the shard in the store. */
export type Lease = Readonly<{
  shard: ShardId;
  owner: string;
  /** Store revision of the latest renewal: a renewal must name it. */
  revision: number;
}>;

/**
 * Shard leases and the live projector instances, with a time to live. A lease not renewed
 * within `ttlMs` lapses and anyone may take the shard; an instance not heard from as long is gone.
 */
export interface LeaseStore {
  readonly ttlMs: number;
  /** Says `holder` is alive; it counts as an instance until one TTL after its last heartbeat. */
  heartbeat(holder: LeaseHolder): Promise<void>;
  leave(owner: string): Promise<void>;
  instances(): Promise<LeaseHolder[]>;
  /** The current lease of every shard that has one, with its revision and when it was last written. */
  holders(): Promise<ReadonlyMap<ShardId, LeaseHolder & { revision: number; renewedAt: Date }>>;
  /** Takes a free shard; null when someone holds it. */
  acquire(shard: ShardId, holder: LeaseHolder): Promise<Lease | null>;
  /** Takes a shard from a holder known to be dead, if its lease is still at `revision`; null otherwise. */
  takeOver(shard: ShardId, revision: number, holder: LeaseHolder): Promise<Lease | null>;
  /** Extends the lease; null when it has lapsed or passed to someone else. */
  renew(lease: Lease, holder: LeaseHolder): Promise<Lease | null>;
  /** Gives the shard up at once (after the owner stopped writing), so another instance need not wait a TTL. */
  release(lease: Lease): Promise<void>;
}

// ---------------------------------------------------------------- live notifications

/**
 * Sent by the projector after the write, so a client that reacts by querying sees the same numbers.
 * `trace` is the event's it announces: the delivery to a subscriber joins that event's trace.
 */
export type LiveNotification = (
  | Readonly<{ kind: 'balance'; balance: BalanceView }>
  | Readonly<{ kind: 'entry'; entry: LedgerEntryView }>
  | Readonly<{ kind: 'transfer'; transfer: TransferView }>
  | Readonly<{ kind: 'wallet'; walletId: string; version: number }>
) &
  Readonly<{ trace?: TraceContext | undefined }>;

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

// ---------------------------------------------------------------- logs

/** Structured logs as the app writes them (pino's shape). */
export interface Log {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
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
