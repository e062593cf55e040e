/**
 * An in-memory LedgerApp for GraphQL unit tests: seeded read models, a record of every submitted
 * command, a live bus tests push to, and a count of every ReadStore call (to prove batching).
 */
import { createAsyncQueue, type AsyncQueue } from '../../src/app/async-queue.js';
import { subtractDecimal } from '../../src/app/decimal.js';
import type { LedgerApp, SubmitManyRequest, SubmitRequest } from '../../src/app/ledger-app.js';
import { createWalletAsOf } from '../../src/app/wallet-as-of.js';
import type { EventEnvelope } from '../../src/domain/events.js';
import type {
  AssetView,
  BalanceView,
  CommandOutcome,
  Journal,
  LedgerEntryView,
  LiveBus,
  LiveNotification,
  LiveTopic,
  ReadStore,
  StoredEvent,
  TransferView,
  WalletView,
} from '../../src/ports.js';

export type Seed = {
  wallets: WalletView[];
  balances: BalanceView[];
  entries: LedgerEntryView[];
  transfers: TransferView[];
  assets: AssetView[];
  /** Wallet events for time travel (`walletAsOf`), which reads the journal, not the read models. */
  journal: StoredEvent[];
};

type ReadMethod = Exclude<keyof ReadStore, 'checkpoint'>;

export type FakeLedgerApp = LedgerApp & {
  readonly data: Seed;
  readonly submitted: SubmitRequest[];
  /** Every submitMany call; its command items also appear in `submitted`, its refused ones only here. */
  readonly batches: SubmitManyRequest[];
  /** ReadStore calls by method since the last reset. */
  readonly calls: Record<ReadMethod, number>;
  totalReadCalls(): number;
  resetCalls(): void;
  /** Decides what `submit` answers; by default every command is ACCEPTED. */
  onSubmit: (request: SubmitRequest, commandId: string) => CommandOutcome | Promise<CommandOutcome>;
  /** Delivers notifications to live subscribers, as the projector would after its write. */
  push(...notifications: LiveNotification[]): Promise<void>;
  /** Live subscriptions currently open, by topic key ("balance:<walletId>", ...). */
  openSubscriptions(topicKey?: string): number;
  /** watchCommand iterations still open for `commandId`. */
  openCommandWatches(commandId: string): number;
  /** Records a command outcome and tells `watchCommand` subscribers. */
  recordOutcome(outcome: CommandOutcome): void;
};

const EPOCH = new Date('2030-01-01T00:00:00.000Z');
const at = (minutes: number): Date => new Date(EPOCH.getTime() + minutes * 60_000);

export const walletView = (over: Partial<WalletView> & { id: string; ownerId: string }): WalletView => ({
  name: `wallet ${over.id}`,
  status: 'ACTIVE',
  version: 1,
  createdAt: EPOCH,
  updatedAt: EPOCH,
  createdSeq: 1,
  ...over,
});

export const balanceView = (over: Partial<BalanceView> & { walletId: string; asset: string; total: string }): BalanceView => ({
  reserved: '0',
  available: subtractDecimal(over.total, over.reserved ?? '0'),
  version: 2,
  updatedAt: at(1),
  ...over,
});

export const entryView = (over: Partial<LedgerEntryView> & { id: string; walletId: string; seq: number }): LedgerEntryView => ({
  asset: 'BTC',
  type: 'DEPOSIT',
  amount: '1',
  totalAfter: '1',
  reservedAfter: '0',
  transferId: null,
  commandId: `cmd-${over.id}`,
  version: over.seq,
  occurredAt: at(over.seq),
  ...over,
});

export const transferView = (over: Partial<TransferView> & { id: string; fromWalletId: string; toWalletId: string }): TransferView => ({
  asset: 'BTC',
  amount: '1',
  status: 'PENDING',
  executeAt: null,
  createdAt: at(5),
  completedAt: null,
  failureReason: null,
  ...over,
});

export const DEFAULT_ASSETS: AssetView[] = [
  { code: 'BTC', decimals: 8, networks: ['bitcoin'], minAmount: null, maxAmount: null },
  { code: 'ETH', decimals: 18, networks: ['ethereum'], minAmount: null, maxAmount: null },
];

const topicKey = (topic: LiveTopic): string =>
  topic.kind === 'transfer' ? `transfer:${topic.transferId}` : `${topic.kind}:${topic.walletId}`;

const topicOf = (n: LiveNotification): string => {
  switch (n.kind) {
    case 'balance':
      return `balance:${n.balance.walletId}`;
    case 'entry':
      return `entry:${n.entry.walletId}`;
    case 'transfer':
      return `transfer:${n.transfer.id}`;
    case 'wallet':
      return `wallet:${n.walletId}`;
    default: {
      const _exhaustive: never = n;
      return _exhaustive;
    }
  }
};

function page<T>(items: T[], first: number) {
  return { items: items.slice(0, first), hasNextPage: items.length > first };
}

export function createFakeLedgerApp(seed: Partial<Seed> = {}): FakeLedgerApp {
  const data: Seed = {
    wallets: seed.wallets ?? [],
    balances: seed.balances ?? [],
    entries: seed.entries ?? [],
    transfers: seed.transfers ?? [],
    assets: seed.assets ?? DEFAULT_ASSETS,
    journal: seed.journal ?? [],
  };
  const calls = {} as Record<ReadMethod, number>;
  const count = (method: ReadMethod): void => {
    calls[method] = (calls[method] ?? 0) + 1;
  };

  const read: ReadStore = {
    checkpoint: async () => 0,
    walletsByIds: async (ids) => (count('walletsByIds'), data.wallets.filter((w) => ids.includes(w.id))),
    listWallets: async (q) => {
      count('listWallets');
      const rows = data.wallets
        .filter((w) => (q.ownerId === undefined || w.ownerId === q.ownerId) && (q.status === undefined || w.status === q.status))
        .filter((w) => q.afterSeq === undefined || w.createdSeq > q.afterSeq)
        .sort((a, b) => a.createdSeq - b.createdSeq);
      return page(rows, q.first);
    },
    balancesByWalletIds: async (ids) => (count('balancesByWalletIds'), data.balances.filter((b) => ids.includes(b.walletId))),
    balanceAt: async (walletId, asset, when) => {
      count('balanceAt');
      const last = data.entries
        .filter((e) => e.walletId === walletId && e.asset === asset && e.occurredAt <= when)
        .sort((a, b) => b.seq - a.seq)[0];
      if (!last) return null;
      return balanceView({ walletId, asset, total: last.totalAfter, reserved: last.reservedAfter, version: last.version, updatedAt: last.occurredAt });
    },
    ledgerEntries: async (q) => {
      count('ledgerEntries');
      const rows = data.entries
        .filter((e) => e.walletId === q.walletId && (q.asset === undefined || e.asset === q.asset))
        .filter((e) => q.beforeSeq === undefined || e.seq < q.beforeSeq)
        .sort((a, b) => b.seq - a.seq);
      return page(rows, q.first);
    },
    ledgerEntriesByIds: async (ids) => (count('ledgerEntriesByIds'), data.entries.filter((e) => ids.includes(e.id))),
    transfersByIds: async (ids) => (count('transfersByIds'), data.transfers.filter((t) => ids.includes(t.id))),
    transfersOfWallets: async (ids, status) => {
      count('transfersOfWallets');
      return data.transfers.filter(
        (t) => (ids.includes(t.fromWalletId) || ids.includes(t.toWalletId)) && (status === undefined || t.status === status),
      );
    },
    dueTransfers: async (now, limit) => {
      count('dueTransfers');
      return data.transfers.filter((t) => t.status === 'SCHEDULED' && t.executeAt !== null && t.executeAt <= now).slice(0, limit);
    },
    assets: async () => (count('assets'), data.assets),
  };

  const subscribers = new Map<string, Set<AsyncQueue<LiveNotification>>>();
  const live: LiveBus = {
    publish: async (notifications) => {
      for (const n of notifications) for (const queue of subscribers.get(topicOf(n)) ?? []) queue.push(n);
    },
    subscribe: async (topic, signal) => {
      const key = topicKey(topic);
      const queue = createAsyncQueue<LiveNotification>(signal);
      const set = subscribers.get(key) ?? new Set();
      subscribers.set(key, set.add(queue));
      signal.addEventListener('abort', () => set.delete(queue), { once: true });
      return queue;
    },
  };

  const outcomes = new Map<string, CommandOutcome>();
  const watchers = new Map<string, Set<AsyncQueue<CommandOutcome>>>();
  const submitted: SubmitRequest[] = [];
  const batches: SubmitManyRequest[] = [];

  // The assets as the journal would hold them: time travel reads amounts in each asset's scale.
  const journal: Journal = {
    read: async (ref, afterSeq = 0) => data.journal.filter((s) => s.event.walletId === ref.id && s.seq > afterSeq),
    readAssets: async () => data.assets.map((asset, i) => ({ seq: i + 1, event: assetRegistered(asset) })),
    eventAt: async () => null,
    append: async () => {
      throw new Error('the fake journal is seeded, not appended to');
    },
  };
  const asOf = createWalletAsOf({ journal });

  const app: FakeLedgerApp = {
    data,
    submitted,
    batches,
    calls,
    read,
    live,
    totalReadCalls: () => Object.values(calls).reduce((a, b) => a + b, 0),
    resetCalls: () => {
      for (const key of Object.keys(calls)) delete calls[key as ReadMethod];
    },
    onSubmit: (request, commandId) => {
      const data = request.command.data as Record<string, unknown>;
      return {
        commandId,
        state: 'ACCEPTED',
        walletId: request.command.type === 'CreateWallet' ? `wallet-of-${commandId}` : (data['walletId'] as string | undefined),
        transferId: request.command.type === 'RequestTransfer' ? `transfer-of-${commandId}` : (data['transferId'] as string | undefined),
        at: EPOCH.toISOString(),
      };
    },
    submit: async (request) => {
      submitted.push(request);
      const outcome = await app.onSubmit(request, `cmd-${submitted.length}`);
      app.recordOutcome(outcome);
      return outcome;
    },
    // One at a time and in order: batching itself is the real service's, tested over in-memory ports.
    submitMany: async (request) => {
      batches.push(request);
      const answers: CommandOutcome[] = [];
      for (const [i, item] of request.items.entries()) {
        if (item.kind === 'refused') {
          const walletId = (item.command?.data as { walletId?: string } | undefined)?.walletId;
          answers.push({ commandId: `refused-${i}`, state: 'REJECTED', ...item.refusal, walletId, at: EPOCH.toISOString() });
        } else {
          answers.push(await app.submit({ principal: request.principal, command: item.command, idempotencyKey: item.idempotencyKey, consistency: request.consistency }));
        }
      }
      return answers;
    },
    // As the service: someone else's wallet answers like an unknown one.
    walletAsOf: async ({ principal, walletId, cut }) => {
      const state = await asOf(walletId, cut);
      return state !== null && (principal.admin || state.ownerId === principal.sub) ? state : null;
    },
    commandStatus: async (commandId) => outcomes.get(commandId) ?? null,
    watchCommand: (commandId, signal) => {
      const queue = createAsyncQueue<CommandOutcome>(signal);
      const current = outcomes.get(commandId);
      if (current) queue.push(current);
      const set = watchers.get(commandId) ?? new Set();
      watchers.set(commandId, set.add(queue));
      signal.addEventListener('abort', () => set.delete(queue), { once: true });
      // A consumer that stops iterating releases its watch, as the real outcome store's watch does.
      const iterator = queue[Symbol.asyncIterator]();
      return {
        [Symbol.asyncIterator]: () => ({
          next: () => iterator.next(),
          return: async (value?: unknown) => {
            set.delete(queue);
            return (await iterator.return?.(value)) ?? { done: true as const, value: undefined };
          },
        }),
      };
    },
    openCommandWatches: (commandId) => watchers.get(commandId)?.size ?? 0,
    push: (...notifications) => live.publish(notifications),
    openSubscriptions: (key) =>
      key === undefined ? [...subscribers.values()].reduce((n, set) => n + set.size, 0) : (subscribers.get(key)?.size ?? 0),
    recordOutcome: (outcome) => {
      outcomes.set(outcome.commandId, outcome);
      for (const queue of watchers.get(outcome.commandId) ?? []) queue.push(outcome);
    },
  };
  return app;
}

const assetRegistered = (asset: AssetView): EventEnvelope => ({
  id: `asset-${asset.code}`,
  type: 'AssetRegistered',
  assetCode: asset.code,
  version: 1,
  schemaVersion: 1,
  occurredAt: EPOCH.toISOString(),
  commandId: `register-${asset.code}`,
  correlationId: `register-${asset.code}`,
  actor: 'system',
  data: { code: asset.code, decimals: asset.decimals, networks: asset.networks, minAmount: asset.minAmount, maxAmount: asset.maxAmount },
});
