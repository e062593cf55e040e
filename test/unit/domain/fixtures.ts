import type { WalletCommand } from '../../../src/domain/commands.js';
import type { WalletEvent, WalletEventEnvelope } from '../../../src/domain/events.js';
import type { CommandMetadata } from '../../../src/domain/metadata.js';
import { SCHEMA_VERSIONS } from '../../../src/domain/upcast.js';

/** Names and builders the domain specs share, so each test shows only what it is about. */

export const ALICE = 'alice';
export const BOB = 'bob';
export const WALLET = 'w-alice';
export const OTHER = 'w-bob';
export const TRANSFER = 't-1';
export const NOW = '2026-11-22T10:00:00.000Z';
export const EARLIER = '2026-11-21T10:00:00.000Z';
export const LATER = '2026-11-23T10:00:00.000Z';

export const meta = (overrides: Partial<CommandMetadata> = {}): CommandMetadata => ({
  commandId: 'c-1',
  correlationId: 'c-1',
  actor: ALICE,
  admin: false,
  now: NOW,
  ...overrides,
});

export const system = (overrides: Partial<CommandMetadata> = {}): Partial<CommandMetadata> => ({ actor: 'system', admin: true, ...overrides });

type CommandOf<T extends WalletCommand['type']> = Extract<WalletCommand, { type: T }>;

/** A wallet command on WALLET by ALICE at NOW unless told otherwise. */
export const command = <T extends WalletCommand['type']>(
  type: T,
  data: Omit<CommandOf<T>['data'], 'walletId'> & { walletId?: string },
  metadata: Partial<CommandMetadata> = {},
): CommandOf<T> => ({ type, data: { walletId: WALLET, ...data }, metadata: meta(metadata) }) as unknown as CommandOf<T>;

export const created = (ownerId = ALICE, name = 'Main'): WalletEvent => ({ type: 'WalletCreated', data: { ownerId, name } });

export const deposited = (asset: string, amount: string, totalAfter = amount, reservedAfter = '0', network = defaultNetwork(asset)): WalletEvent => ({
  type: 'FundsDeposited',
  data: { asset, amount, network, totalAfter, reservedAfter },
});

export const scheduled = (
  amount: string,
  totalAfter: string,
  reservedAfter: string,
  options: { transferId?: string; asset?: string; executeAt?: string; toWalletId?: string } = {},
): WalletEvent => ({
  type: 'TransferScheduled',
  data: {
    transferId: options.transferId ?? TRANSFER,
    toWalletId: options.toWalletId ?? OTHER,
    asset: options.asset ?? 'BTC',
    amount,
    executeAt: options.executeAt ?? LATER,
    totalAfter,
    reservedAfter,
  },
});

export const debited = (
  amount: string,
  totalAfter: string,
  reservedAfter = '0',
  options: { transferId?: string; asset?: string; toWalletId?: string } = {},
): WalletEvent => ({
  type: 'TransferDebited',
  data: { transferId: options.transferId ?? TRANSFER, toWalletId: options.toWalletId ?? OTHER, asset: options.asset ?? 'BTC', amount, totalAfter, reservedAfter },
});

const defaultNetwork = (asset: string): string =>
  ({ BTC: 'bitcoin', ETH: 'ethereum', USDT: 'ethereum', USD: 'fiat' })[asset] ?? 'unknown';

/** Wraps events as the journal would, numbering versions from 1. */
export const envelopes = (events: readonly WalletEvent[], walletId = WALLET, firstVersion = 1): WalletEventEnvelope[] =>
  events.map((event, i) => envelope(event, firstVersion + i, walletId));

export const envelope = (event: WalletEvent, version: number, walletId = WALLET): WalletEventEnvelope => ({
  ...event,
  id: `${walletId}-e${version}`,
  schemaVersion: SCHEMA_VERSIONS[event.type],
  walletId,
  version,
  occurredAt: NOW,
  commandId: `${walletId}-c${version}`,
  correlationId: `${walletId}-c${version}`,
  actor: ALICE,
});
