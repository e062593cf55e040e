import { expect } from 'vitest';
import type { AssetCatalog } from '../../../src/domain/asset.js';
import { catalogFrom, DEFAULT_ASSETS } from '../../../src/domain/catalog.js';
import type { WalletCommand } from '../../../src/domain/commands.js';
import type { Decision } from '../../../src/domain/decision.js';
import type { WalletEvent } from '../../../src/domain/events.js';
import type { RejectionCode } from '../../../src/domain/rejection.js';
import { decideWallet } from '../../../src/domain/wallet.decide.js';
import { evolveWallet, replayWallet } from '../../../src/domain/wallet.evolve.js';
import { initialWalletState, type WalletState } from '../../../src/domain/wallet.state.js';
import { BOB, created, envelope, envelopes, OTHER, WALLET } from './fixtures.js';

export const CATALOG: AssetCatalog = catalogFrom(DEFAULT_ASSETS);

export type SpecOptions = {
  walletId?: string;
  assets?: AssetCatalog;
  /** The destination's history; null: it does not exist. Default: an open wallet of BOB. */
  counterparty?: readonly WalletEvent[] | null;
};

export const stateOf = (events: readonly WalletEvent[], walletId = WALLET, assets = CATALOG): WalletState =>
  replayWallet(initialWalletState(walletId), envelopes(events, walletId), assets);

/**
 * `given(history).when(command).then(event)`: the wallet's past as events, one command, and the
 * one event (or rejection code) it must produce. An accepted event is also folded back in, so
 * every accepted spec checks that the result keeps the balance invariant.
 */
export const given = (events: readonly WalletEvent[], options: SpecOptions = {}) => {
  const walletId = options.walletId ?? WALLET;
  const assets = options.assets ?? CATALOG;
  const state = stateOf(events, walletId, assets);
  const counterpartyEvents = options.counterparty === undefined ? [created(BOB, 'Savings')] : options.counterparty;
  const counterparty = counterpartyEvents === null ? undefined : stateOf(counterpartyEvents, OTHER, assets);

  return {
    state,
    when(command: WalletCommand) {
      const decision: Decision<WalletEvent> = decideWallet(command, state, { assets, counterparty });
      return {
        decision,
        then(expected: WalletEvent): void {
          expect(decision).toEqual({ kind: 'accepted', event: expected });
          const after = evolveWallet(state, envelope(expected, state.version + 1, walletId), assets);
          expectBalancesSound(after);
        },
        thenRejects(code: RejectionCode, message?: string | RegExp): void {
          expect(decision.kind, `expected ${code}, got ${JSON.stringify(decision)}`).toBe('rejected');
          if (decision.kind !== 'rejected') return;
          expect(decision.rejection.code).toBe(code);
          expect(decision.rejection.message.length).toBeGreaterThan(0);
          if (message !== undefined) expect(decision.rejection.message).toMatch(message);
        },
      };
    },
  };
};

export const expectBalancesSound = (state: WalletState): void => {
  for (const [asset, { total, reserved }] of state.balances) {
    expect(reserved >= 0n, `${asset} reserved ${reserved} < 0`).toBe(true);
    expect(total >= reserved, `${asset} total ${total} < reserved ${reserved}`).toBe(true);
  }
};
