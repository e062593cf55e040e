import type { CloseWallet, CreateWallet, Deposit, RenameWallet, Withdraw, WalletCommand } from './commands.js';
import { accepted, rejected, type Decision } from './decision.js';
import type { WalletEvent } from './events.js';
import { isId } from './limits.js';
import type { CommandMetadata } from './metadata.js';
import { checkAmount, describeAmount, formatAmount } from './money.js';
import { reject, type Rejection } from './rejection.js';
import {
  cancelTransfer,
  completeTransfer,
  creditTransfer,
  executeScheduledTransfer,
  failTransfer,
  requestTransfer,
  rescheduleTransfer,
} from './transfer.decide.js';
import { changeBalance, checkFunds, checkName, findAsset, resolveNetwork, type WalletContext } from './wallet.rules.js';
import { balanceOf, type WalletState } from './wallet.state.js';

export type { WalletContext } from './wallet.rules.js';

/**
 * The wallet decider: one command against the wallet's state gives exactly one event or a
 * rejection. Pure: time, ids and the asset catalog arrive in the command and the context.
 */
export const decideWallet = (command: WalletCommand, state: WalletState, ctx: WalletContext): Decision<WalletEvent> => {
  const refusal = gate(command, state);
  if (refusal) return rejected(refusal);
  switch (command.type) {
    case 'CreateWallet':
      return createWallet(command, state);
    case 'RenameWallet':
      return renameWallet(command);
    case 'CloseWallet':
      return closeWallet(command, state, ctx);
    case 'Deposit':
      return deposit(command, state, ctx);
    case 'Withdraw':
      return withdraw(command, state, ctx);
    case 'RequestTransfer':
      return requestTransfer(command, state, ctx);
    case 'CancelTransfer':
      return cancelTransfer(command, state, ctx);
    case 'RescheduleTransfer':
      return rescheduleTransfer(command, state);
    case 'ExecuteScheduledTransfer':
      return executeScheduledTransfer(command, state, ctx);
    case 'CreditTransfer':
      return creditTransfer(command, state, ctx);
    case 'CompleteTransfer':
      return completeTransfer(command, state);
    case 'FailTransfer':
      return failTransfer(command, state, ctx);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
};

/**
 * Saga and scheduler steps. A user who could send one could, say, fail a transfer that was
 * already credited and be refunded money that arrived elsewhere; the API never offers them,
 * and the domain refuses them from anyone but the system as well.
 */
const SYSTEM_ONLY: ReadonlySet<WalletCommand['type']> = new Set([
  'ExecuteScheduledTransfer',
  'CreditTransfer',
  'CompleteTransfer',
  'FailTransfer',
]);

const isSystem = (metadata: CommandMetadata): boolean => metadata.actor === 'system';
const isPrivileged = (metadata: CommandMetadata): boolean => metadata.admin || isSystem(metadata);

/** Who may act, and on a wallet in which condition: checked before any rule of the command itself. */
const gate = (command: WalletCommand, state: WalletState): Rejection | null => {
  const { metadata } = command;
  if (SYSTEM_ONLY.has(command.type) && !isSystem(metadata)) {
    return reject('FORBIDDEN', `${command.type} is a system step and cannot be sent by ${metadata.actor}`);
  }
  // The same id shape the API checks: an id no wallet can have names no wallet.
  if (!isId(command.data.walletId)) return reject('WALLET_NOT_FOUND', `wallet ${command.data.walletId.slice(0, 64)} does not exist`);
  if (command.type === 'CreateWallet') {
    if (!isPrivileged(metadata) && command.data.ownerId !== metadata.actor) {
      return reject('FORBIDDEN', `${metadata.actor} cannot create a wallet for ${command.data.ownerId}`);
    }
    return null;
  }
  // Someone else's wallet answers exactly like a missing one: a different answer would tell a
  // stranger which wallet ids exist.
  const visible = state.exists && (isPrivileged(metadata) || state.ownerId === metadata.actor);
  if (!visible) return walletNotFound(command.data.walletId);
  if (state.status === 'CLOSED') return reject('WALLET_CLOSED', `wallet ${state.id} is closed`);
  return null;
};

/** Also what the API answers for someone else's wallet, so a refusal never tells that it exists. */
export const walletNotFound = (walletId: string): Rejection => reject('WALLET_NOT_FOUND', `wallet ${walletId} does not exist`);

const createWallet = (command: CreateWallet, state: WalletState): Decision<WalletEvent> => {
  if (state.exists) return rejected(reject('WALLET_EXISTS', `wallet ${command.data.walletId} already exists`));
  const name = checkName(command.data.name);
  if (!name.ok) return rejected(name.rejection);
  return accepted({ type: 'WalletCreated', data: { ownerId: command.data.ownerId, name: name.value } });
};

const renameWallet = (command: RenameWallet): Decision<WalletEvent> => {
  const name = checkName(command.data.name);
  if (!name.ok) return rejected(name.rejection);
  return accepted({ type: 'WalletRenamed', data: { name: name.value } });
};

const closeWallet = (command: CloseWallet, state: WalletState, ctx: WalletContext): Decision<WalletEvent> => {
  const open = state.openTransfers.size;
  if (open > 0) {
    return rejected(reject('WALLET_NOT_EMPTY', `wallet ${command.data.walletId} has ${open} open transfer${open === 1 ? '' : 's'}`));
  }
  for (const [code, balance] of state.balances) {
    if (balance.total !== 0n || balance.reserved !== 0n) {
      const asset = ctx.assets.get(code);
      const held = asset ? describeAmount(balance.total, asset) : `${balance.total} base units of ${code}`;
      return rejected(reject('WALLET_NOT_EMPTY', `wallet ${command.data.walletId} still holds ${held}`));
    }
  }
  return accepted({ type: 'WalletClosed', data: {} });
};

/** Asset, network and amount of a deposit or withdrawal, checked in that order. */
const fundsMovement = (command: Deposit | Withdraw, ctx: WalletContext) => {
  const asset = findAsset(ctx.assets, command.data.asset);
  if (!asset.ok) return asset;
  const network = resolveNetwork(asset.value, command.data.network);
  if (!network.ok) return network;
  const amount = checkAmount(command.data.amount, asset.value);
  if (!amount.ok) return amount;
  return { ok: true as const, asset: asset.value, network: network.value, amount: amount.units };
};

const deposit = (command: Deposit, state: WalletState, ctx: WalletContext): Decision<WalletEvent> => {
  const movement = fundsMovement(command, ctx);
  if (!movement.ok) return rejected(movement.rejection);
  const { asset, network, amount } = movement;
  const balance = balanceOf(state, asset.code);
  return changeBalance(asset, { total: balance.total + amount, reserved: balance.reserved }, (after) => ({
    type: 'FundsDeposited',
    data: { asset: asset.code, amount: formatAmount(amount, asset.decimals), network, ...after },
  }));
};

const withdraw = (command: Withdraw, state: WalletState, ctx: WalletContext): Decision<WalletEvent> => {
  const movement = fundsMovement(command, ctx);
  if (!movement.ok) return rejected(movement.rejection);
  const { asset, network, amount } = movement;
  const balance = balanceOf(state, asset.code);
  const short = checkFunds(asset, balance, amount);
  if (short) return rejected(short);
  return changeBalance(asset, { total: balance.total - amount, reserved: balance.reserved }, (after) => ({
    type: 'FundsWithdrawn',
    data: { asset: asset.code, amount: formatAmount(amount, asset.decimals), network, ...after },
  }));
};
