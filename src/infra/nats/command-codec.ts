/**
 * Decodes command messages at the edge. Anything that fails here is a poison message: it can
 * never succeed however often it is redelivered, so it goes to the DLQ instead.
 */
import { z } from 'zod';
import type { CommandMessage } from '../../ports.js';
import { decodeJson } from './json.js';

// Ids become subject tokens (cmd.wallet.<id>): nothing that could split or wildcard a subject.
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const actor = z.string().min(1).max(256);
const text = z.string().max(256);
const amount = z.string().max(64);
const asset = z.string().min(1).max(16);
const time = z.string().max(64);

const dataSchemas = {
  CreateWallet: z.object({ walletId: id, ownerId: actor, name: text }),
  RenameWallet: z.object({ walletId: id, name: text }),
  CloseWallet: z.object({ walletId: id }),
  Deposit: z.object({ walletId: id, asset, amount, network: text.optional() }),
  Withdraw: z.object({ walletId: id, asset, amount, network: text.optional() }),
  RequestTransfer: z.object({ walletId: id, transferId: id, toWalletId: id, asset, amount, executeAt: time.optional() }),
  CancelTransfer: z.object({ walletId: id, transferId: id }),
  RescheduleTransfer: z.object({ walletId: id, transferId: id, executeAt: time }),
  ExecuteScheduledTransfer: z.object({ walletId: id, transferId: id, executeAt: time }),
  CreditTransfer: z.object({ walletId: id, transferId: id, fromWalletId: id, asset, amount }),
  CompleteTransfer: z.object({ walletId: id, transferId: id, creditSeq: z.number().int().positive().optional() }),
  FailTransfer: z.object({ walletId: id, transferId: id, reason: text }),
  RegisterAsset: z.object({
    code: asset,
    decimals: z.number().int(),
    networks: z.array(text).max(32),
    minAmount: amount.optional(),
    maxAmount: amount.optional(),
  }),
} as const;

type CommandType = keyof typeof dataSchemas;

const metadataSchema = z.object({
  commandId: id,
  correlationId: id,
  actor,
  admin: z.boolean(),
  issuedAt: time,
  fingerprint: z.string().max(128).optional(),
});

const messageSchema = z.object({
  type: z.enum(Object.keys(dataSchemas) as [CommandType, ...CommandType[]]),
  data: z.unknown(),
  metadata: metadataSchema,
});

export class PoisonMessageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoisonMessageError';
  }
}

export function decodeCommand(raw: Uint8Array): CommandMessage {
  let json: unknown;
  try {
    json = decodeJson(raw);
  } catch (error) {
    throw new PoisonMessageError('command is not JSON', { cause: error });
  }
  const envelope = messageSchema.safeParse(json);
  if (!envelope.success) throw new PoisonMessageError(`command envelope is invalid: ${z.prettifyError(envelope.error)}`);
  const data = dataSchemas[envelope.data.type].safeParse(envelope.data.data);
  if (!data.success) throw new PoisonMessageError(`${envelope.data.type} data is invalid: ${z.prettifyError(data.error)}`);
  return { type: envelope.data.type, data: data.data, metadata: envelope.data.metadata } as CommandMessage;
}
