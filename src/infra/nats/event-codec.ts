/**
 * Decodes journal messages at the edge: a malformed event is an error with a cause, never a silent
 * `any`. This is also the one place older event shapes become current ones (domain/upcast.ts):
 * every reader of the journal (processor, saga, projector, verify, rebuild, time travel, the CLI)
 * decodes here, so none of them ever sees a version-1 payload.
 */
import { z } from 'zod';
import { EVENT_TYPES, type EventEnvelope } from '../../domain/events.js';
import { SCHEMA_VERSIONS, UnknownSchemaVersionError, upcast } from '../../domain/upcast.js';
import { decodeJson } from './json.js';

const envelopeSchema = z
  .object({
    id: z.string().min(1),
    type: z.enum(EVENT_TYPES),
    walletId: z.string().min(1).optional(),
    assetCode: z.string().min(1).optional(),
    version: z.number().int().positive(),
    occurredAt: z.string(),
    commandId: z.string(),
    correlationId: z.string(),
    actor: z.string(),
    // Absent on events written before versioning: those are version 1.
    schemaVersion: z.number().int().positive().optional(),
    data: z.record(z.string(), z.unknown()),
  })
  .refine((e) => (e.type === 'AssetRegistered' ? e.assetCode !== undefined && e.walletId === undefined : e.walletId !== undefined && e.assetCode === undefined), {
    message: 'a wallet event names its walletId, an asset event its assetCode, never both',
  });

export class MalformedEventError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MalformedEventError';
  }
}

export function decodeJournalEvent(data: Uint8Array): EventEnvelope {
  let json: unknown;
  try {
    json = decodeJson(data);
  } catch (error) {
    throw new MalformedEventError('journal message is not JSON', { cause: error });
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) throw new MalformedEventError(`journal message is not an event: ${parsed.error.message}`);
  const { schemaVersion = 1, ...envelope } = parsed.data;
  let current: Readonly<Record<string, unknown>>;
  try {
    current = upcast(envelope.type, schemaVersion, envelope.data);
  } catch (error) {
    // A newer release's event is not malformed: redelivered to an upgraded reader it will be read.
    if (error instanceof UnknownSchemaVersionError) throw error;
    throw new MalformedEventError(`journal event ${envelope.id} cannot be upcast: ${(error as Error).message}`, { cause: error });
  }
  // Past this point the payload is in the current shape of its type, written by our own deciders
  // (or upcast to it): the one place the journal's JSON is trusted to be the typed union.
  return { ...envelope, schemaVersion: SCHEMA_VERSIONS[envelope.type], data: current } as unknown as EventEnvelope;
}
