import type { AssetView } from '../ports.js';
import { builder } from './builder.js';
import { submitCommand } from './command.js';
import { CommandResultRef, ConsistencyEnum } from './command-result.js';
import { forbidden, unauthenticated } from './errors.js';
import { idempotencyKeySchema, parseInput, registerAssetInput } from './validation.js';

export const AssetRef = builder.objectRef<AssetView>('Asset').implement({
  fields: (t) => ({
    id: t.id({ description: 'the asset code: what client caches key the catalog by', resolve: (asset) => asset.code }),
    code: t.exposeString('code'),
    decimals: t.exposeInt('decimals'),
    networks: t.exposeStringList('networks'),
    minAmount: t.expose('minAmount', { type: 'Decimal', nullable: true }),
    maxAmount: t.expose('maxAmount', { type: 'Decimal', nullable: true }),
  }),
});

builder.queryField('assets', (t) =>
  t.field({
    type: [AssetRef],
    description: 'The asset catalog; public, no token needed.',
    skipTypeScopes: true,
    resolve: (_root, _args, ctx) => ctx.app.read.assets(),
  }),
);

const RegisterAssetInput = builder.inputType('RegisterAssetInput', {
  fields: (t) => ({
    code: t.string({ required: true }),
    decimals: t.int({ required: true }),
    networks: t.stringList({ required: true }),
    minAmount: t.field({ type: 'Decimal' }),
    maxAmount: t.field({ type: 'Decimal' }),
    idempotencyKey: t.string(),
  }),
});

builder.mutationField('registerAsset', (t) =>
  t.field({
    type: CommandResultRef,
    description: 'admin only',
    authScopes: { admin: true },
    unauthorizedError: (_root, _args, ctx) => (ctx.principal ? forbidden('registerAsset needs the admin role') : unauthenticated()),
    args: {
      input: t.arg({ type: RegisterAssetInput, required: true }),
      consistency: t.arg({ type: ConsistencyEnum, defaultValue: 'DECIDED' }),
    },
    resolve: (_root, args, ctx) => {
      const data = parseInput(registerAssetInput, args.input);
      const idempotencyKey = parseInput(idempotencyKeySchema.nullish(), args.input.idempotencyKey, 'input.idempotencyKey');
      return submitCommand(ctx, { type: 'RegisterAsset', data }, { idempotencyKey: idempotencyKey ?? undefined, consistency: args.consistency });
    },
  }),
);
