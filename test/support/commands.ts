/** Command messages for unit tests of the processor side, with sequential command ids and a fixed issue time. */
import { DEFAULT_ASSETS, registrationOf } from '../../src/domain/catalog.js';
import type { Clock, CommandMessage, WireMetadata } from '../../src/ports.js';

let counter = 0;

export const wireMetadata = (commandId = `cmd-${++counter}`, actor = 'alice'): WireMetadata => ({
  commandId,
  correlationId: commandId,
  actor,
  admin: actor === 'system',
  issuedAt: '2030-01-01T00:00:00.000Z',
});

export const createWallet = (walletId: string, commandId?: string): CommandMessage => ({
  type: 'CreateWallet',
  data: { walletId, ownerId: 'alice', name: `wallet ${walletId}` },
  metadata: wireMetadata(commandId),
});

export const deposit = (walletId: string, amount: string, asset = 'USD', commandId?: string): CommandMessage => ({
  type: 'Deposit',
  data: { walletId, asset, amount },
  metadata: wireMetadata(commandId),
});

export const withdraw = (walletId: string, amount: string, asset = 'USD', commandId?: string): CommandMessage => ({
  type: 'Withdraw',
  data: { walletId, asset, amount },
  metadata: wireMetadata(commandId),
});

export const rename = (walletId: string, name: string, commandId?: string): CommandMessage => ({
  type: 'RenameWallet',
  data: { walletId, name },
  metadata: wireMetadata(commandId),
});

export const transfer = (walletId: string, toWalletId: string, amount: string, transferId: string, executeAt?: string): CommandMessage => ({
  type: 'RequestTransfer',
  data: { walletId, toWalletId, transferId, asset: 'USD', amount, executeAt },
  metadata: wireMetadata(),
});

export const registerAsset = (code: string, decimals = 2): CommandMessage => ({
  type: 'RegisterAsset',
  data: { code, decimals, networks: ['testnet'] },
  metadata: wireMetadata(undefined, 'system'),
});

/** The default catalog's registrations, as the processor sends them at first start. */
export const defaultCatalog = (): CommandMessage[] =>
  DEFAULT_ASSETS.map((asset) => ({ type: 'RegisterAsset', data: registrationOf(asset), metadata: wireMetadata(`catalog-${asset.code}`, 'system') }));

/** A clock that moves one millisecond per reading: event times are distinct and ordered. */
export const steppingClock = (start = Date.parse('2030-01-01T00:00:00.000Z')): Clock => {
  let t = start;
  return { now: () => new Date(t++) };
};
