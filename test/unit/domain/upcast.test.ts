import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../src/domain/events.js';
import { SCHEMA_VERSIONS, UnknownSchemaVersionError, reasonCodeOf, upcast } from '../../../src/domain/upcast.js';
import { MalformedEventError, decodeJournalEvent } from '../../../src/infra/nats/event-codec.js';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A TransferFailed as written before events carried a schema version: no `schemaVersion`, no `reasonCode`. */
const failedV1 = {
  id: 'e-5',
  type: 'TransferFailed',
  walletId: 'w1',
  version: 5,
  occurredAt: '2026-11-22T10:00:00.000Z',
  commandId: 'c-5',
  correlationId: 'c-5',
  actor: 'system',
  data: { transferId: 't1', asset: 'BTC', amount: '0.5', reason: 'WALLET_CLOSED: destination wallet w2 is closed', stage: 'DEBITED', totalAfter: '1', reservedAfter: '0' },
};

describe('event versioning', () => {
  it('reads a version-1 TransferFailed (no schemaVersion) as the current shape, with the code its decider writes today', () => {
    const event = decodeJournalEvent(bytes(failedV1));
    expect(event).toEqual({ ...failedV1, schemaVersion: 2, data: { ...failedV1.data, reasonCode: 'WALLET_CLOSED' } });
  });

  it('stamps every event type with its current schema version, whatever it was written with', () => {
    for (const type of EVENT_TYPES) {
      const where = type === 'AssetRegistered' ? { walletId: undefined, assetCode: 'BTC' } : { walletId: 'w1' };
      const event = decodeJournalEvent(bytes({ ...failedV1, ...where, type, data: { reason: 'x' } }));
      expect(event.schemaVersion, type).toBe(SCHEMA_VERSIONS[type]);
    }
  });

  it('leaves a current event as it is', () => {
    const current = { ...failedV1, schemaVersion: 2, data: { ...failedV1.data, reasonCode: 'WALLET_CLOSED' } };
    expect(decodeJournalEvent(bytes(current))).toEqual(current);
  });

  it('refuses an event of a newer schema than it knows, rather than guess its shape', () => {
    expect(() => decodeJournalEvent(bytes({ ...failedV1, schemaVersion: 3 }))).toThrow(UnknownSchemaVersionError);
    expect(() => upcast('WalletCreated', 0, {})).toThrow(UnknownSchemaVersionError);
  });

  it('refuses an envelope whose aggregate does not match its type', () => {
    expect(() => decodeJournalEvent(bytes({ ...failedV1, walletId: undefined, assetCode: 'BTC' }))).toThrow(MalformedEventError);
    expect(() => decodeJournalEvent(bytes({ ...failedV1, type: 'AssetRegistered' }))).toThrow(MalformedEventError);
  });

  it('reads the code off a reason: a rejection code, REJECTED, or UNKNOWN', () => {
    expect(reasonCodeOf('WALLET_NOT_FOUND: destination wallet w9 does not exist')).toBe('WALLET_NOT_FOUND');
    expect(reasonCodeOf('REJECTED: the destination refused the credit')).toBe('REJECTED');
    expect(reasonCodeOf('NOT_A_CODE: whatever')).toBe('UNKNOWN');
    expect(reasonCodeOf('refused')).toBe('UNKNOWN');
  });
});
