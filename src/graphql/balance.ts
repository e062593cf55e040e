import type { BalanceView } from '../ports.js';
import { mayWatchWallet } from './access.js';
import { builder } from './builder.js';
import { type ParsedCommand, submitCommand } from './command.js';
import { CommandResultRef, ConsistencyEnum } from './command-result.js';
import type { GraphQLContext } from './context.js';
import { deliver, liveIterable, renewLoaders, untilAborted } from './live.js';
import { assetCodeSchema, fundsInput, idSchema, parseInput } from './validation.js';

/** A balance as read; `historical` marks one rebuilt for a past instant (balanceAt). */
export type BalanceShape = BalanceView & { readonly historical?: true };

/**
 * Clients' normalised caches (Apollo, urql Graphcache) merge objects by id: the current balance of
 * a wallet and asset keeps one id, so a balanceChanged payload updates the wallet on screen. A
 * past balance is a different object (an immutable snapshot at a version): sharing the id would
 * overwrite today's numbers in the cache with the past ones.
 */
export const balanceId = (balance: BalanceShape): string =>
  balance.historical ? `${balance.walletId}:${balance.asset}@${balance.version}` : `${balance.walletId}:${balance.asset}`;

export const BalanceRef = builder.objectRef<BalanceShape>('Balance').implement({
  fields: (t) => ({
    id: t.id({
      description:
        'stable and unique per wallet and asset: normalised client caches (Apollo, urql) merge live updates by it. A past balance (balanceAt) has its own id, "<walletId>:<asset>@<version>".',
      resolve: balanceId,
    }),
    walletId: t.exposeID('walletId'),
    asset: t.exposeString('asset'),
    total: t.expose('total', { type: 'Decimal' }),
    reserved: t.expose('reserved', { type: 'Decimal' }),
    available: t.expose('available', { type: 'Decimal', description: 'total - reserved' }),
    version: t.exposeInt('version', { description: "the wallet's event version that produced this balance" }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

// Deposits and withdrawals take the same input; the contract names the two types apart.
const fundsInputType = (name: 'DepositInput' | 'WithdrawInput') =>
  builder.inputType(name, {
    fields: (t) => ({
      walletId: t.id({ required: true }),
      asset: t.string({ required: true }),
      amount: t.field({ type: 'Decimal', required: true }),
      network: t.string(),
      idempotencyKey: t.string(),
    }),
  });
export const DepositInput = fundsInputType('DepositInput');
export const WithdrawInput = fundsInputType('WithdrawInput');

/** A DepositInput or WithdrawInput as its command; BAD_USER_INPUT names the field under `root`. Shared with submitCommands. */
export function fundsRequest(type: 'Deposit' | 'Withdraw', input: unknown, root = 'input'): ParsedCommand {
  const { idempotencyKey, ...data } = parseInput(fundsInput, input, root);
  return { command: { type, data }, idempotencyKey, walletId: data.walletId };
}

/** Deposit and withdraw differ only in the command they send. */
function fundsMutation(field: 'deposit' | 'withdraw', type: 'Deposit' | 'Withdraw', inputType: typeof DepositInput): void {
  builder.mutationField(field, (t) =>
    t.field({
      type: CommandResultRef,
      args: {
        input: t.arg({ type: inputType, required: true }),
        consistency: t.arg({ type: ConsistencyEnum, defaultValue: 'DECIDED' }),
      },
      resolve: (_root, args, ctx) => {
        // Whose wallet it is, the processor decides against the journal: someone else's wallet is
        // rejected there exactly like an unknown one (WALLET_NOT_FOUND), so no answer tells them apart.
        const { command, idempotencyKey } = fundsRequest(type, args.input);
        return submitCommand(ctx, command, { idempotencyKey, consistency: args.consistency });
      },
    }),
  );
}
fundsMutation('deposit', 'Deposit', DepositInput);
fundsMutation('withdraw', 'Withdraw', WithdrawInput);

/**
 * Current balances first, then live changes. The live subscription opens before the read, so a
 * change landing in between is not lost; versions drop what the read already showed.
 */
async function* balanceStream(ctx: GraphQLContext, walletId: string, asset: string | undefined, signal: AbortSignal) {
  const live = untilAborted(await ctx.app.live.subscribe({ kind: 'balance', walletId }, signal), signal);
  const emitted = new Map<string, number>();
  const wanted = (balance: BalanceView): boolean => asset === undefined || balance.asset === asset;
  const fresh = (balance: BalanceView): boolean => balance.version > (emitted.get(balance.asset) ?? 0);

  renewLoaders(ctx);
  for (const balance of (await ctx.loaders.balancesByWalletId.load(walletId)).filter(wanted)) {
    emitted.set(balance.asset, balance.version);
    yield balance;
  }
  for await (const notification of live) {
    if (notification.kind !== 'balance' || !wanted(notification.balance) || !fresh(notification.balance)) continue;
    emitted.set(notification.balance.asset, notification.balance.version);
    renewLoaders(ctx);
    yield* deliver(ctx, 'balanceChanged', notification.trace, notification.balance);
  }
}

builder.subscriptionField('balanceChanged', (t) =>
  t.field({
    type: BalanceRef,
    description: 'Emits the current balance of each matching asset at once, then every change, after it is visible to queries.',
    args: { walletId: t.arg.id({ required: true }), asset: t.arg.string() },
    authScopes: (_root, args, ctx) => mayWatchWallet(ctx, parseInput(idSchema, args.walletId, 'walletId')),
    subscribe: (_root, args, ctx) => {
      const asset = args.asset == null ? undefined : parseInput(assetCodeSchema, args.asset, 'asset');
      return liveIterable((signal) => balanceStream(ctx, args.walletId, asset, signal));
    },
    resolve: (balance: BalanceView) => balance,
  }),
);
