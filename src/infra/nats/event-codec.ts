/** Decodes journal messages at the edge: a malformed event is an error with a cause, never a silent `any`. */
import { z } from 'zod';
import { EVENT_TYPES, type EventEnvelope } from '../../domain/events.js';
import { decodeJson } from './json.js';

const envelopeSchema = z.object({
  id: z.string().min(1),
  type: z.enum(EVENT_TYPES),
  walletId: z.string().optional(),
  assetCode: z.string().optional(),
  version: z.number().int().positive(),
  occurredAt: z.string(),
  commandId: z.string(),
  correlationId: z.string(),
  actor: z.string(),
  data: z.record(z.string(), z.unknown()),
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
  // The payload was written by our own deciders; its shape follows from `type`.
  return parsed.data as unknown as EventEnvelope;
}
