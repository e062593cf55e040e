import type { Principal } from '../app/ledger-app.js';
import type { TransferView, WalletView } from '../ports.js';
import type { GraphQLContext } from './context.js';
import { forbidden, notFound, unauthenticated } from './errors.js';

/**
 * Who may see what: users their own wallets, and the transfers that touch them; admins everything.
 * Root fields already require a login (scope `loggedIn`); these checks decide per object.
 */
export function principalOf(ctx: GraphQLContext): Principal {
  if (ctx.principal === null) throw unauthenticated();
  return ctx.principal;
}

export const ownsWallet = (principal: Principal, wallet: WalletView): boolean =>
  principal.admin || wallet.ownerId === principal.sub;

/** null when unknown; FORBIDDEN when it belongs to someone else. */
export async function visibleWallet(ctx: GraphQLContext, walletId: string): Promise<WalletView | null> {
  const principal = principalOf(ctx);
  const wallet = await ctx.loaders.walletById.load(walletId);
  if (wallet === null) return null;
  if (!ownsWallet(principal, wallet)) throw forbidden(`wallet ${walletId} belongs to another user`);
  return wallet;
}

export async function canSeeTransfer(ctx: GraphQLContext, transfer: TransferView): Promise<boolean> {
  const principal = principalOf(ctx);
  if (principal.admin) return true;
  const wallets = await ctx.loaders.walletById.loadMany([transfer.fromWalletId, transfer.toWalletId]);
  return wallets.some((w) => w !== null && !(w instanceof Error) && w.ownerId === principal.sub);
}

/** null when unknown; FORBIDDEN when neither side of the transfer is the caller's. */
export async function visibleTransfer(ctx: GraphQLContext, transferId: string): Promise<TransferView | null> {
  const transfer = await ctx.loaders.transferById.load(transferId);
  if (transfer === null) return null;
  if (!(await canSeeTransfer(ctx, transfer))) throw forbidden(`transfer ${transferId} belongs to other users`);
  return transfer;
}

/**
 * Before a command is published: refuse early when the read model already shows the wallet is
 * someone else's. A wallet missing from the read model may just be lagging, so it passes here;
 * the processor checks ownership again against the journal.
 */
export async function mayActOnWallet(ctx: GraphQLContext, walletId: string): Promise<boolean> {
  const principal = principalOf(ctx);
  if (principal.admin) return true;
  const wallet = await ctx.loaders.walletById.load(walletId);
  return wallet === null || wallet.ownerId === principal.sub;
}

/** `mayActOnWallet` for a single mutation: a refusal is the mutation's error. */
export async function assertMayActOnWallet(ctx: GraphQLContext, walletId: string): Promise<void> {
  if (!(await mayActOnWallet(ctx, walletId))) throw forbidden(`wallet ${walletId} belongs to another user`);
}

/**
 * Subscriptions are authorized once, when they start: the wallet must exist (a client that just
 * created it should ask for PROJECTED consistency first) and be the caller's.
 */
export async function mayWatchWallet(ctx: GraphQLContext, walletId: string): Promise<boolean> {
  const wallet = await ctx.loaders.walletById.load(walletId);
  if (wallet === null) throw notFound(`wallet ${walletId} not found`);
  return ctx.principal !== null && ownsWallet(ctx.principal, wallet);
}
