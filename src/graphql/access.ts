import type { Principal } from '../app/ledger-app.js';
import type { TransferView, WalletView } from '../ports.js';
import type { GraphQLContext } from './context.js';
import { notFound, unauthenticated } from './errors.js';

/**
 * Who may see what: users their own wallets, and the transfers that touch them; admins everything.
 * Root fields already require a login (scope `loggedIn`); these checks decide per object.
 *
 * Someone else's wallet, transfer or command answers exactly like an unknown id (null, or
 * NOT_FOUND where an unknown id is an error): a FORBIDDEN would tell a stranger that the id exists.
 */
export function principalOf(ctx: GraphQLContext): Principal {
  if (ctx.principal === null) throw unauthenticated();
  return ctx.principal;
}

export const ownsWallet = (principal: Principal, wallet: WalletView): boolean =>
  principal.admin || wallet.ownerId === principal.sub;

/** The wallet if the caller may see it; null when unknown or someone else's. */
export async function visibleWallet(ctx: GraphQLContext, walletId: string): Promise<WalletView | null> {
  const principal = principalOf(ctx);
  const wallet = await ctx.loaders.walletById.load(walletId);
  return wallet !== null && ownsWallet(principal, wallet) ? wallet : null;
}

export async function canSeeTransfer(ctx: GraphQLContext, transfer: TransferView): Promise<boolean> {
  const principal = principalOf(ctx);
  if (principal.admin) return true;
  const wallets = await ctx.loaders.walletById.loadMany([transfer.fromWalletId, transfer.toWalletId]);
  return wallets.some((w) => w !== null && !(w instanceof Error) && w.ownerId === principal.sub);
}

/** The transfer if either side is the caller's; null when unknown or between other users. */
export async function visibleTransfer(ctx: GraphQLContext, transferId: string): Promise<TransferView | null> {
  const transfer = await ctx.loaders.transferById.load(transferId);
  return transfer !== null && (await canSeeTransfer(ctx, transfer)) ? transfer : null;
}

/** The same error for an unknown wallet and someone else's. */
export const walletNotFound = (walletId: string) => notFound(`wallet ${walletId} not found`);
export const transferNotFound = (transferId: string) => notFound(`transfer ${transferId} not found`);

/**
 * Subscriptions are authorized once, when they start: the wallet must exist (a client that just
 * created it should ask for PROJECTED consistency first) and be the caller's.
 */
export async function mayWatchWallet(ctx: GraphQLContext, walletId: string): Promise<boolean> {
  if (ctx.principal === null) return false;
  if ((await visibleWallet(ctx, walletId)) === null) throw walletNotFound(walletId);
  return true;
}
