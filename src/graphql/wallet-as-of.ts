/**
 * Wallet.asOf: the whole wallet as it stood at an instant or after a version, rebuilt by the app
 * from the journal (not from the read models). It hangs off a Wallet the caller may already see,
 * and the app checks the owner once more against the journal.
 */
import type { AsOfCut, WalletStateView } from '../app/wallet-as-of.js';
import { principalOf } from './access.js';
import { BalanceRef } from './balance.js';
import { builder } from './builder.js';
import { asOfInput, parseInput } from './validation.js';
import { WalletRef, WalletStatusEnum } from './wallet.js';

export const WalletStateRef = builder.objectRef<WalletStateView>('WalletState').implement({
  description: "A wallet's state rebuilt from its events up to an instant or a version: exact, the same as a replay of the journal.",
  fields: (t) => ({
    id: t.id({
      description: 'unique per wallet and version, "<walletId>@<version>": a past state is its own object in client caches, never the live wallet',
      resolve: (state) => `${state.walletId}@${state.version}`,
    }),
    walletId: t.exposeID('walletId'),
    name: t.exposeString('name'),
    status: t.expose('status', { type: WalletStatusEnum }),
    version: t.exposeInt('version', { description: 'the last event version included' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'when that last event happened' }),
    // Past balances: their ids carry the version, so a client cache keeps them apart from the live ones.
    balances: t.field({ type: [BalanceRef], resolve: (state) => state.balances.map((b) => ({ ...b, historical: true as const })) }),
  }),
});

builder.objectField(WalletRef, 'asOf', (t) =>
  t.field({
    type: WalletStateRef,
    nullable: true,
    description:
      'Time travel: the whole wallet as it stood at an instant or after a version (exactly one of the two), rebuilt from the journal. ' +
      'null before the wallet existed (an instant before its creation, version 0) and for a version it has not reached yet; ' +
      'an instant after its last event gives the state as it stands now.',
    args: { at: t.arg({ type: 'DateTime' }), version: t.arg.int() },
    resolve: (wallet, args, ctx) => {
      const { at, version } = parseInput(asOfInput, args, 'asOf');
      const cut: AsOfCut = at !== undefined ? { kind: 'at', at } : { kind: 'version', version: version ?? 0 };
      return ctx.app.walletAsOf({ principal: principalOf(ctx), walletId: wallet.id, cut });
    },
  }),
);
