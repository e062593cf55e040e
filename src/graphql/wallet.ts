import type { WalletView } from '../ports.js';
import { principalOf, visibleWallet } from './access.js';
import { BalanceRef } from './balance.js';
import { builder } from './builder.js';
import { LedgerEntryConnectionRef } from './ledger-entry.js';
import { NodeRef } from './node.js';
import { connection, PageInfoRef, type Connection, type Edge } from './page-info.js';
import { decodeCursor, encodeCursor, pageSize } from './pagination.js';
import { assetCodeSchema, idSchema, parseInput } from './validation.js';

export const WalletStatusEnum = builder.enumType('WalletStatus', { values: ['ACTIVE', 'CLOSED'] as const });

// Declared apart from its fields: Wallet and Transfer refer to each other.
export const WalletRef = builder.objectRef<WalletView>('Wallet');

WalletRef.implement({
  interfaces: [NodeRef],
  fields: (t) => ({
    ownerId: t.exposeID('ownerId'),
    name: t.exposeString('name'),
    status: t.expose('status', { type: WalletStatusEnum }),
    version: t.exposeInt('version'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    balances: t.field({
      type: [BalanceRef],
      resolve: (wallet, _args, ctx) => ctx.loaders.balancesByWalletId.load(wallet.id),
    }),
    balance: t.field({
      type: BalanceRef,
      nullable: true,
      args: { asset: t.arg.string({ required: true }) },
      resolve: async (wallet, args, ctx) => {
        const asset = parseInput(assetCodeSchema, args.asset, 'asset');
        const balances = await ctx.loaders.balancesByWalletId.load(wallet.id);
        return balances.find((b) => b.asset === asset) ?? null;
      },
    }),
    balanceAt: t.field({
      type: BalanceRef,
      nullable: true,
      description: 'Time travel: the balance as it stood at `at`, exact.',
      args: { asset: t.arg.string({ required: true }), at: t.arg({ type: 'DateTime', required: true }) },
      resolve: async (wallet, args, ctx) => {
        const past = await ctx.loaders.balanceAt.load({ walletId: wallet.id, asset: parseInput(assetCodeSchema, args.asset, 'asset'), at: args.at });
        return past === null ? null : { ...past, historical: true as const };
      },
    }),
    transactions: t.field({
      type: LedgerEntryConnectionRef,
      description: 'Ledger entries, newest first.',
      args: { first: t.arg.int(), after: t.arg.string(), asset: t.arg.string() },
      resolve: async (wallet, args, ctx) => {
        const asset = args.asset == null ? undefined : parseInput(assetCodeSchema, args.asset, 'asset');
        const page = await ctx.loaders.entriesPage.load({
          walletId: wallet.id,
          asset,
          first: pageSize(args.first),
          beforeSeq: decodeCursor(args.after),
        });
        return connection(page.items, page.hasNextPage, (entry) => encodeCursor(entry.seq), args.after);
      },
    }),
  }),
});

const WalletEdgeRef = builder.objectRef<Edge<WalletView>>('WalletEdge').implement({
  fields: (t) => ({ node: t.expose('node', { type: WalletRef }), cursor: t.exposeString('cursor') }),
});

const WalletConnectionRef = builder.objectRef<Connection<WalletView>>('WalletConnection').implement({
  fields: (t) => ({
    edges: t.expose('edges', { type: [WalletEdgeRef] }),
    pageInfo: t.expose('pageInfo', { type: PageInfoRef }),
  }),
});

builder.queryFields((t) => ({
  wallet: t.field({
    type: WalletRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => visibleWallet(ctx, parseInput(idSchema, args.id, 'id')),
  }),
  wallets: t.field({
    type: WalletConnectionRef,
    description: "the caller's wallets; an admin sees all",
    args: { first: t.arg.int(), after: t.arg.string(), status: t.arg({ type: WalletStatusEnum }) },
    resolve: async (_root, args, ctx) => {
      const principal = principalOf(ctx);
      const page = await ctx.app.read.listWallets({
        ownerId: principal.admin ? undefined : principal.sub,
        status: args.status ?? undefined,
        first: pageSize(args.first),
        afterSeq: decodeCursor(args.after),
      });
      for (const wallet of page.items) ctx.loaders.walletById.prime(wallet.id, wallet);
      return connection(page.items, page.hasNextPage, (wallet) => encodeCursor(wallet.createdSeq), args.after);
    },
  }),
}));
