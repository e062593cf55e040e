import { describe, expect, it } from 'vitest';
import type { WalletCommand } from '../../../src/domain/commands.js';
import type { WalletEvent } from '../../../src/domain/events.js';
import type { CommandMetadata } from '../../../src/domain/metadata.js';
import { formatAmount } from '../../../src/domain/money.js';
import { decideWallet } from '../../../src/domain/wallet.decide.js';
import { evolveWallet } from '../../../src/domain/wallet.evolve.js';
import { initialWalletState, type WalletState } from '../../../src/domain/wallet.state.js';
import { envelope } from './fixtures.js';
import { seeded } from '../../support/random.js';
import { CATALOG, expectBalancesSound } from './spec.js';


const WALLETS = ['w-a', 'w-b', 'w-c'] as const;
const OWNERS: Record<string, string> = { 'w-a': 'ann', 'w-b': 'ben', 'w-c': 'cat' };
const ASSETS = ['BTC', 'USD'] as const;

/**
 * Random command sequences over three wallets, run the way the app runs them: decide, and fold
 * any accepted event back in. After every event the balances must be sound, and money must be
 * conserved: the wallets' totals plus what is in flight equal deposits minus withdrawals.
 */
const simulate = (seed: number, steps: number) => {
  const rnd = seeded(seed);
  const states = new Map<string, WalletState>(WALLETS.map((id) => [id, initialWalletState(id)]));
  const credited = new Set<string>();
  const net = new Map<string, bigint>(ASSETS.map((a) => [a, 0n]));
  const seen = new Map<string, number>();
  let clock = Date.parse('2026-11-22T00:00:00.000Z');
  let ids = 0;

  const metadata = (actor: string): CommandMetadata => ({
    commandId: `c-${++ids}`,
    correlationId: `c-${ids}`,
    actor,
    admin: false,
    now: new Date(clock).toISOString(),
  });

  const send = (walletId: string, command: WalletCommand): WalletEvent | null => {
    const state = states.get(walletId)!;
    const counterparty = command.type === 'RequestTransfer' ? states.get(command.data.toWalletId) : undefined;
    const decision = decideWallet(command, state, { assets: CATALOG, counterparty });
    const label = decision.kind === 'accepted' ? decision.event.type : `${command.type}:${decision.rejection.code}`;
    seen.set(label, (seen.get(label) ?? 0) + 1);
    if (decision.kind === 'rejected') return null;
    const next = evolveWallet(state, envelope(decision.event, state.version + 1, walletId), CATALOG);
    states.set(walletId, next);
    const event = decision.event;
    if (event.type === 'FundsDeposited') net.set(event.data.asset, net.get(event.data.asset)! + CATALOG_UNITS(event.data.asset, event.data.amount));
    if (event.type === 'FundsWithdrawn') net.set(event.data.asset, net.get(event.data.asset)! - CATALOG_UNITS(event.data.asset, event.data.amount));
    if (event.type === 'TransferCredited') credited.add(event.data.transferId);
    checkWorld();
    return event;
  };

  const checkWorld = () => {
    for (const state of states.values()) expectBalancesSound(state);
    for (const asset of ASSETS) {
      let held = 0n;
      for (const state of states.values()) {
        held += state.balances.get(asset)?.total ?? 0n;
        for (const [id, open] of state.openTransfers) {
          if (open.asset === asset && open.status === 'PENDING' && !credited.has(id)) held += open.amount;
        }
      }
      expect(held, `${asset} not conserved (seed ${seed})`).toBe(net.get(asset));
    }
  };

  const amount = (asset: string) => {
    const decimals = CATALOG.get(asset)!.decimals;
    const roll = rnd.next();
    if (roll < 0.05) return rnd.pick(['0', '-1', 'abc', '1e3', '', ' 1']);
    if (roll < 0.1) return `1.${'1'.repeat(decimals + 1)}`;
    return formatAmount(BigInt(rnd.below(5 * 10 ** Math.min(decimals, 6))) * 10n ** BigInt(Math.max(0, decimals - 6)), decimals);
  };

  const openTransfers = () =>
    [...states.entries()].flatMap(([walletId, state]) => [...state.openTransfers.entries()].map(([id, open]) => ({ walletId, id, open })));

  for (let step = 0; step < steps; step++) {
    clock += rnd.below(3) * 60_000;
    const walletId = rnd.pick(WALLETS);
    const owner = OWNERS[walletId]!;
    const asset = rnd.pick(ASSETS);
    const action = rnd.below(12);
    const transfers = openTransfers();
    const someTransfer = transfers.length > 0 ? rnd.pick(transfers) : null;
    switch (action) {
      case 0:
        send(walletId, { type: 'CreateWallet', data: { walletId, ownerId: owner, name: walletId }, metadata: metadata(owner) });
        break;
      case 1:
      case 2:
        send(walletId, { type: 'Deposit', data: { walletId, asset, amount: amount(asset) }, metadata: metadata(owner) });
        break;
      case 3:
        send(walletId, { type: 'Withdraw', data: { walletId, asset, amount: amount(asset) }, metadata: metadata(owner) });
        break;
      case 4:
      case 5: {
        const toWalletId = rnd.pick(WALLETS);
        const executeAt = rnd.next() < 0.5 ? undefined : new Date(clock + (rnd.below(7) - 2) * 60_000).toISOString();
        send(walletId, {
          type: 'RequestTransfer',
          data: { walletId, transferId: `t-${step}`, toWalletId, asset, amount: amount(asset), executeAt },
          metadata: metadata(owner),
        });
        break;
      }
      case 6:
        if (someTransfer) {
          const { walletId: from, id } = someTransfer;
          send(from, { type: 'CancelTransfer', data: { walletId: from, transferId: id }, metadata: metadata(OWNERS[from]!) });
        }
        break;
      case 7:
        if (someTransfer) {
          const { walletId: from, id } = someTransfer;
          const executeAt = new Date(clock + (rnd.below(5) - 1) * 60_000).toISOString();
          send(from, { type: 'RescheduleTransfer', data: { walletId: from, transferId: id, executeAt }, metadata: metadata(OWNERS[from]!) });
        }
        break;
      case 8:
        if (someTransfer) {
          const { walletId: from, id, open } = someTransfer;
          const executeAt = rnd.next() < 0.8 && open.executeAt ? open.executeAt : new Date(clock).toISOString();
          send(from, { type: 'ExecuteScheduledTransfer', data: { walletId: from, transferId: id, executeAt }, metadata: metadata('system') });
        }
        break;
      case 9:
        // The saga, on money in flight: credit the destination, then complete; refund if it refuses.
        if (someTransfer?.open.status === 'PENDING' && rnd.next() < 0.8) {
          const { walletId: from, id, open } = someTransfer;
          const credit = send(open.toWalletId, {
            type: 'CreditTransfer',
            data: { walletId: open.toWalletId, transferId: id, fromWalletId: from, asset: open.asset, amount: formatAmount(open.amount, CATALOG.get(open.asset)!.decimals) },
            metadata: metadata('system'),
          });
          if (credit) send(from, { type: 'CompleteTransfer', data: { walletId: from, transferId: id }, metadata: metadata('system') });
          else send(from, { type: 'FailTransfer', data: { walletId: from, transferId: id, reason: 'refused' }, metadata: metadata('system') });
        } else if (someTransfer) {
          // Refused for a reason outside this model, in flight or still scheduled.
          const { walletId: from, id } = someTransfer;
          send(from, { type: 'FailTransfer', data: { walletId: from, transferId: id, reason: 'refused' }, metadata: metadata('system') });
        }
        break;
      case 11: {
        // Empty one balance exactly, so that wallets sometimes become closable.
        const state = states.get(walletId)!;
        const balance = state.balances.get(asset);
        if (balance && balance.total > balance.reserved) {
          const all = formatAmount(balance.total - balance.reserved, CATALOG.get(asset)!.decimals);
          send(walletId, { type: 'Withdraw', data: { walletId, asset, amount: all }, metadata: metadata(owner) });
        }
        break;
      }
      case 10:
        // Rarely: a closed wallet refuses everything after, which would starve the rest of the run.
        if (rnd.next() < 0.1) send(walletId, { type: 'CloseWallet', data: { walletId }, metadata: metadata(owner) });
        break;
    }
  }
  return seen;
};

const CATALOG_UNITS = (asset: string, amount: string): bigint => {
  const decimals = CATALOG.get(asset)!.decimals;
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole! + fraction.padEnd(decimals, '0'));
};

describe('wallet invariants under random command sequences', () => {
  it('never makes a balance negative or a reservation exceed the total, and conserves money', () => {
    const seen = new Map<string, number>();
    for (let seed = 1; seed <= 60; seed++) {
      for (const [label, count] of simulate(seed, 400)) seen.set(label, (seen.get(label) ?? 0) + count);
    }
    // The run must have gone through the interesting paths, or it proves nothing.
    for (const label of [
      'FundsDeposited', 'FundsWithdrawn', 'TransferScheduled', 'TransferRescheduled', 'TransferCancelled', 'TransferDebited',
      'TransferCredited', 'TransferCompleted', 'TransferFailed', 'WalletClosed',
      'Withdraw:INSUFFICIENT_FUNDS', 'RequestTransfer:INSUFFICIENT_FUNDS', 'Deposit:INVALID_AMOUNT', 'CreditTransfer:WALLET_CLOSED',
    ]) {
      expect(seen.get(label) ?? 0, `${label} never happened`).toBeGreaterThan(0);
    }
  });
});
