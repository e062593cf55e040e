/**
 * Event versioning. Each event type has a schema version, written into every envelope
 * (`schemaVersion`); an event written before versioning existed has none and is version 1.
 * Events in the journal are never rewritten (it denies delete and purge), so a reader meets every
 * shape ever written: the upcasters below turn each older shape into the next, and `upcast`
 * chains them up to the current one. The journal decoder calls it, so every read path (processor,
 * saga, projector, verify, time travel, the CLI) sees only current shapes.
 *
 * Changing an event's shape means: bump its version in SCHEMA_VERSIONS, add the upcaster from the
 * previous version (a pure function of the old payload: no state, no I/O), and keep the contract's
 * rule that payloads gain fields and never lose them.
 */
import type { EventType } from './events.js';
import { REJECTION_CODES } from './rejection.js';

/** The shape each event type is written in today. */
export const SCHEMA_VERSIONS = {
  WalletCreated: 1,
  WalletRenamed: 1,
  WalletClosed: 1,
  FundsDeposited: 1,
  FundsWithdrawn: 1,
  TransferScheduled: 1,
  TransferRescheduled: 1,
  TransferCancelled: 1,
  TransferDebited: 1,
  TransferCredited: 1,
  TransferCompleted: 1,
  // 2: `reasonCode`, the machine-readable part of `reason`, for consumers that branch on it.
  TransferFailed: 2,
  AssetRegistered: 1,
} as const satisfies Record<EventType, number>;

export type Payload = Readonly<Record<string, unknown>>;
type Upcaster = (data: Payload) => Payload;

/** UPCASTERS[type][v] turns version v of the type's payload into version v + 1. */
const UPCASTERS: { readonly [T in EventType]?: Readonly<Record<number, Upcaster>> } = {
  TransferFailed: {
    1: (data) => ({ ...data, reasonCode: reasonCodeOf(typeof data['reason'] === 'string' ? data['reason'] : '') }),
  },
};

/** An event written by a newer release: its shape cannot be known here, so it is not guessed. */
export class UnknownSchemaVersionError extends Error {
  constructor(readonly type: EventType, readonly schemaVersion: number) {
    super(`${type} schema version ${schemaVersion} is newer than this release reads (${SCHEMA_VERSIONS[type]}): upgrade the reader`);
    this.name = 'UnknownSchemaVersionError';
  }
}

/** The payload of a `type` event written at `schemaVersion`, in the current shape. */
export function upcast(type: EventType, schemaVersion: number, data: Payload): Payload {
  const current = SCHEMA_VERSIONS[type];
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > current) throw new UnknownSchemaVersionError(type, schemaVersion);
  let payload = data;
  for (let version = schemaVersion; version < current; version++) {
    const step = UPCASTERS[type]?.[version];
    if (!step) throw new Error(`no upcaster for ${type} from schema version ${version} to ${version + 1}`);
    payload = step(payload);
  }
  return payload;
}

/**
 * A failure reason reads "<CODE>: <message>" (the saga and the scheduler write it so); the code is
 * a rejection code, or REJECTED when the refusal came without one. Anything else is UNKNOWN.
 * The decider writes the same derivation, so an upcast version-1 event equals what it would write today.
 */
export function reasonCodeOf(reason: string): string {
  const prefix = /^([A-Z][A-Z_]*):/.exec(reason)?.[1];
  if (prefix === undefined) return 'UNKNOWN';
  return prefix === 'REJECTED' || (REJECTION_CODES as readonly string[]).includes(prefix) ? prefix : 'UNKNOWN';
}
