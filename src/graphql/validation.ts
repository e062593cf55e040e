import { z } from 'zod';
import { badUserInput } from './errors.js';

/**
 * Input rules checked at the edge, before anything is published. The domain still decides what
 * it alone knows (amount scale, balances, the asset catalog); these reject what is malformed.
 */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

// Ids become NATS subject tokens: no dots, wildcards or spaces can reach a subject.
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 characters from A-Z a-z 0-9 _ -');
export const nameSchema = z
  .string()
  .trim()
  .min(1, 'must be 1..100 characters after trimming')
  .max(100, 'must be 1..100 characters after trimming');
export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1..128 characters from A-Z a-z 0-9 . _ : -');
export const assetCodeSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{1,11}$/, 'must be 2..12 upper-case letters or digits starting with a letter, like "BTC"');
export const networkSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be 1..32 lower-case letters, digits or dashes, like "ethereum"');
// Amounts arrive already checked by the Decimal scalar.
const amount = z.string();

const key = { idempotencyKey: optional(idempotencyKeySchema) };

export const createWalletInput = z.object({ name: nameSchema, ...key });
export const updateWalletInput = z.object({ walletId: idSchema, name: nameSchema, ...key });
export const closeWalletInput = z.object({ walletId: idSchema, ...key });
export const fundsInput = z.object({
  walletId: idSchema,
  asset: assetCodeSchema,
  amount,
  network: optional(networkSchema),
  ...key,
});
export const transferInput = z.object({
  fromWalletId: idSchema,
  toWalletId: idSchema,
  asset: assetCodeSchema,
  amount,
  executeAt: optional(z.date()),
  ...key,
});
export const cancelTransferInput = z.object({ transferId: idSchema, ...key });
export const rescheduleTransferInput = z.object({ transferId: idSchema, executeAt: z.date(), ...key });
export const registerAssetInput = z.object({
  code: assetCodeSchema,
  decimals: z.number().int().min(0, 'must be between 0 and 30').max(30, 'must be between 0 and 30'),
  networks: z
    .array(networkSchema)
    .min(1, 'must name at least one network')
    .max(16, 'must name at most 16 networks')
    .refine((list) => new Set(list).size === list.length, 'must not repeat a network'),
  minAmount: optional(amount),
  maxAmount: optional(amount),
});

/** Wallet.asOf: an instant or a version, exactly one. */
export const asOfInput = z
  .object({ at: optional(z.date()), version: optional(z.number().int().min(0, 'must be 0 or more')) })
  .refine((cut) => (cut.at === undefined) !== (cut.version === undefined), 'takes exactly one of `at` and `version`');

/** Parses `value` or throws BAD_USER_INPUT naming the first offending field, e.g. "input.name: ...". */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, root = 'input'): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [root, ...(issue?.path ?? []).map(String)].join('.');
  throw badUserInput(`${field}: ${issue?.message ?? 'invalid value'}`, field);
}
