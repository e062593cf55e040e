import { z } from 'zod';
import {
  ASSET_CODE,
  ASSET_CODE_RULE,
  ID_PATTERN,
  ID_RULE,
  IDEMPOTENCY_KEY,
  IDEMPOTENCY_KEY_RULE,
  MAX_DECIMALS,
  MAX_NETWORKS,
  NETWORK_NAME,
  NETWORK_NAME_RULE,
} from '../domain/limits.js';
import { checkName } from '../domain/wallet.rules.js';
import { badUserInput } from './errors.js';

/**
 * Input rules checked at the edge, before anything is published. The rules themselves live in
 * src/domain (limits.ts, wallet.rules.ts), which the deciders apply too: the edge refuses early
 * what the domain would refuse later, never more and never less. What only the domain can know
 * (the asset's scale and limits, balances, the catalog) it still decides alone.
 */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

export const idSchema = z.string().regex(ID_PATTERN, ID_RULE);
export const nameSchema = z.string().transform((raw, ctx) => {
  const checked = checkName(raw);
  if (checked.ok) return checked.value;
  ctx.addIssue({ code: 'custom', message: checked.rejection.message });
  return z.NEVER;
});
export const idempotencyKeySchema = z.string().regex(IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_RULE);
export const assetCodeSchema = z.string().regex(ASSET_CODE, ASSET_CODE_RULE);
export const networkSchema = z.string().regex(NETWORK_NAME, NETWORK_NAME_RULE);
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
  decimals: z.number().int().min(0, `must be between 0 and ${MAX_DECIMALS}`).max(MAX_DECIMALS, `must be between 0 and ${MAX_DECIMALS}`),
  networks: z
    .array(networkSchema)
    .min(1, 'must name at least one network')
    .max(MAX_NETWORKS, `must name at most ${MAX_NETWORKS} networks`)
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
