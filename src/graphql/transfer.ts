import type { TransferStatus, TransferView } from '../ports.js';
import { ownsWallet, transferNotFound, visibleTransfer } from './access.js';
import { builder } from './builder.js';
import type { GraphQLContext } from './context.js';
import { deliver, liveIterable, renewLoaders, untilAborted } from './live.js';
import { NodeRef } from './node.js';
import { idSchema, parseInput } from './validation.js';
import { WalletRef } from './wallet.js';

export const TransferStatusEnum = builder.enumType('TransferStatus', {
  values: ['SCHEDULED', 'PENDING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const,
});

/** A transfer only moves forward: SCHEDULED, then PENDING, then one of the terminal states. */
const STAGE: Record<TransferStatus, number> = { SCHEDULED: 0, PENDING: 1, COMPLETED: 2, FAILED: 2, CANCELLED: 2 };
const isTerminal = (transfer: TransferView): boolean => STAGE[transfer.status] === 2;

/** Either side of a transfer may see it, but only its own wallet behind it: the other side is null. */
async function walletIfOwned(ctx: GraphQLContext, walletId: string) {
  const wallet = await ctx.loaders.walletById.load(walletId);
  return wallet !== null && ctx.principal !== null && ownsWallet(ctx.principal, wallet) ? wallet : null;
}

// Declared apart from its fields: Wallet and Transfer refer to each other.
export const TransferRef = builder.objectRef<TransferView>('Transfer');

// Wallet.transfers lives here, beside Transfer, so wallet.ts need not import this file (no import cycle).
builder.objectField(WalletRef, 'transfers', (t) =>
  t.field({
    type: [TransferRef],
    args: { status: t.arg({ type: TransferStatusEnum }) },
    resolve: (wallet, args, ctx) => ctx.loaders.transfersByWalletId.load({ walletId: wallet.id, status: args.status ?? undefined }),
  }),
);

TransferRef.implement({
  interfaces: [NodeRef],
  fields: (t) => ({
    fromWalletId: t.exposeID('fromWalletId'),
    toWalletId: t.exposeID('toWalletId'),
    from: t.field({
      type: WalletRef,
      nullable: true,
      description: "null when the wallet is not the caller's",
      resolve: (transfer, _args, ctx) => walletIfOwned(ctx, transfer.fromWalletId),
    }),
    to: t.field({
      type: WalletRef,
      nullable: true,
      description: "null when the wallet is not the caller's",
      resolve: (transfer, _args, ctx) => walletIfOwned(ctx, transfer.toWalletId),
    }),
    asset: t.exposeString('asset'),
    amount: t.expose('amount', { type: 'Decimal' }),
    status: t.expose('status', { type: TransferStatusEnum }),
    executeAt: t.expose('executeAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true }),
    failureReason: t.exposeString('failureReason', { nullable: true }),
  }),
});

builder.queryField('transfer', (t) =>
  t.field({
    type: TransferRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => visibleTransfer(ctx, parseInput(idSchema, args.id, 'id')),
  }),
);

const sameState = (a: TransferView, b: TransferView): boolean =>
  a.status === b.status &&
  a.executeAt?.getTime() === b.executeAt?.getTime() &&
  a.completedAt?.getTime() === b.completedAt?.getTime() &&
  a.failureReason === b.failureReason;

/**
 * Current state, then each change until the transfer ends. The live subscription opens before
 * the read; a notification older than what the read showed (an earlier stage, or the same state)
 * is dropped, since transfers carry no version of their own.
 */
async function* transferStream(ctx: GraphQLContext, transferId: string, signal: AbortSignal) {
  const live = untilAborted(await ctx.app.live.subscribe({ kind: 'transfer', transferId }, signal), signal);
  renewLoaders(ctx);
  let last = await ctx.loaders.transferById.load(transferId);
  if (last !== null) {
    yield last;
    if (isTerminal(last)) return;
  }
  for await (const notification of live) {
    if (notification.kind !== 'transfer') continue;
    const next = notification.transfer;
    if (last !== null && (STAGE[next.status] < STAGE[last.status] || sameState(next, last))) continue;
    last = next;
    renewLoaders(ctx);
    yield* deliver(ctx, 'transferUpdated', notification.trace, next);
    if (isTerminal(next)) return;
  }
}

builder.subscriptionField('transferUpdated', (t) =>
  t.field({
    type: TransferRef,
    description: 'Emits the current state at once, then each change until the transfer ends.',
    args: { transferId: t.arg.id({ required: true }) },
    // Unknown and someone else's answer the same NOT_FOUND.
    authScopes: async (_root, args, ctx) => {
      const transferId = parseInput(idSchema, args.transferId, 'transferId');
      if (ctx.principal === null) return false;
      if ((await visibleTransfer(ctx, transferId)) === null) throw transferNotFound(transferId);
      return true;
    },
    subscribe: (_root, args, ctx) => liveIterable((signal) => transferStream(ctx, args.transferId, signal)),
    resolve: (transfer: TransferView) => transfer,
  }),
);
