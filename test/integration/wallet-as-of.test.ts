/**
 * Wallet.asOf against the real stack: a seeded random history (deposits, withdrawals, renames,
 * transfers both ways, a scheduled transfer cancelled, and finally a close), then asOf at random
 * instants and versions compared with a replay of the journal written here, independently of the
 * domain's fold (decimal strings, no catalog), and with what the read models say.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRequest } from '../../src/app/ledger-app.js';
import { canonicalDecimal, subtractDecimal } from '../../src/app/decimal.js';
import type { EventEnvelope } from '../../src/domain/events.js';
import { createNatsSnapshotStore } from '../../src/infra/nats/snapshot-store.js';
import { waitAtRest } from '../support/at-rest.js';
import { cliCommand } from '../support/cli-process.js';
import { graphqlClient } from '../support/graphql-client.js';
import { seeded } from '../support/random.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';

const SEED = 20301;
const ASSETS = { BTC: { decimals: 8, step: 5 }, USD: { decimals: 2, step: 2 }, ETH: { decimals: 18, step: 4 } } as const;
type Asset = keyof typeof ASSETS;

const STATE = 'walletId name status version occurredAt balances { walletId asset total reserved available version updatedAt }';

type Balance = { walletId: string; asset: string; total: string; reserved: string; available: string; version: number; updatedAt: string };
type State = { walletId: string; name: string; status: string; version: number; occurredAt: string; balances: Balance[] };

/** The oracle: the journal's events up to the cut, read as plain facts. Balance events say what the balance became. */
function replay(events: readonly EventEnvelope[], within: (e: EventEnvelope) => boolean): State | null {
  let state: State | null = null;
  const balances = new Map<string, Balance>();
  for (const e of events) {
    if (!within(e)) continue;
    const data = e.data as { name?: string; asset?: string; totalAfter?: string; reservedAfter?: string };
    if (e.type === 'WalletCreated') state = { walletId: e.walletId!, name: data.name!, status: 'ACTIVE', version: 0, occurredAt: '', balances: [] };
    if (state === null) throw new Error(`event ${e.version} before WalletCreated`);
    if (e.type === 'WalletRenamed') state.name = data.name!;
    if (e.type === 'WalletClosed') state.status = 'CLOSED';
    if (data.totalAfter !== undefined) {
      const total = canonicalDecimal(data.totalAfter);
      const reserved = canonicalDecimal(data.reservedAfter!);
      balances.set(data.asset!, { walletId: e.walletId!, asset: data.asset!, total, reserved, available: subtractDecimal(total, reserved), version: e.version, updatedAt: e.occurredAt });
    }
    state.version = e.version;
    state.occurredAt = e.occurredAt;
  }
  if (state === null) return null;
  return { ...state, balances: [...balances.values()].sort((a, b) => a.asset.localeCompare(b.asset)) };
}

describe('Wallet.asOf against the real stack', () => {
  let stack: TestStack;
  let client: ReturnType<typeof graphqlClient>;
  let aliceToken: string;
  let walletId: string;
  let events: EventEnvelope[];
  const rng = seeded(SEED);

  const submit = async (sub: string, command: CommandRequest, consistency: 'DECIDED' | 'PROJECTED' = 'DECIDED') =>
    stack.app.submit({ principal: user(sub), command, consistency });
  /** A random amount in whole steps of the asset's minimum, so every balance can be emptied before the close. */
  const amount = (asset: Asset, maxSteps: number): string => {
    const { decimals, step } = ASSETS[asset];
    const units = BigInt(rng.between(1, maxSteps)) * 10n ** BigInt(decimals - step);
    const digits = units.toString().padStart(decimals + 1, '0');
    return canonicalDecimal(`${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`);
  };
  const asset = (): Asset => rng.pick(['BTC', 'USD', 'ETH'] as const);
  const asOf = async (args: string, token = aliceToken) => {
    const body = await client.gql(`{ wallet(id: "${walletId}") { asOf(${args}) { ${STATE} } } }`, undefined, token);
    expect(body.errors, args).toBeUndefined();
    return body.data?.['wallet']?.asOf as State | null;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    client = graphqlClient(stack.app);
    aliceToken = await client.token('alice');
    const create = async (sub: string, name: string) => (await submit(sub, { type: 'CreateWallet', data: { name } }, 'PROJECTED')).walletId as string;
    walletId = await create('alice', 'Start');
    const bobs = await create('bob', 'Bob');
    for (const a of ['BTC', 'USD', 'ETH'] as const) await submit('bob', { type: 'Deposit', data: { walletId: bobs, asset: a, amount: amount(a, 9_000) } });

    let scheduled: string | null = null;
    for (let step = 0; step < 70; step++) {
      const roll = rng.below(100);
      if (scheduled !== null && roll < 15) {
        // A scheduled transfer reserves, may move, then is released.
        if (rng.below(2) === 0) await submit('alice', { type: 'RescheduleTransfer', data: { walletId, transferId: scheduled, executeAt: new Date(Date.now() + 172_800_000).toISOString() } });
        await submit('alice', { type: 'CancelTransfer', data: { walletId, transferId: scheduled } });
        scheduled = null;
      } else if (roll < 40) {
        const a = asset();
        await submit('alice', { type: 'Deposit', data: { walletId, asset: a, amount: amount(a, 500) } });
      } else if (roll < 55) {
        const a = asset();
        await submit('alice', { type: 'Withdraw', data: { walletId, asset: a, amount: amount(a, 200) } });
      } else if (roll < 65) {
        await submit('alice', { type: 'RenameWallet', data: { walletId, name: `Name ${step}` } });
      } else if (roll < 78) {
        const a = asset();
        await submit('alice', { type: 'RequestTransfer', data: { walletId, toWalletId: bobs, asset: a, amount: amount(a, 100) } });
      } else if (roll < 90) {
        const a = asset();
        await submit('bob', { type: 'RequestTransfer', data: { walletId: bobs, toWalletId: walletId, asset: a, amount: amount(a, 100) } });
      } else if (scheduled === null) {
        const a = asset();
        const outcome = await submit('alice', {
          type: 'RequestTransfer',
          data: { walletId, toWalletId: bobs, asset: a, amount: amount(a, 50), executeAt: new Date(Date.now() + 86_400_000).toISOString() },
        });
        if (outcome.state === 'ACCEPTED') scheduled = outcome.transferId as string;
      }
    }
    if (scheduled !== null) await submit('alice', { type: 'CancelTransfer', data: { walletId, transferId: scheduled } });

    // Empty the wallet (once every transfer has landed) and close it.
    await waitAtRest(stack, []);
    for (const balance of await stack.app.read.balancesByWalletIds([walletId])) {
      if (balance.total === '0') continue;
      const out = await submit('alice', { type: 'Withdraw', data: { walletId, asset: balance.asset, amount: balance.total } });
      expect(out.state, `${balance.asset} ${balance.total}`).toBe('ACCEPTED');
    }
    expect((await submit('alice', { type: 'CloseWallet', data: { walletId } }, 'PROJECTED')).state).toBe('ACCEPTED');
    const journal = await waitAtRest(stack, []);
    events = journal.map((s) => s.event).filter((e) => e.walletId === walletId);
  }, 120_000);
  afterAll(() => stack?.stop());

  it('the seeded history has what the test needs', async () => {
    const types = new Set(events.map((e) => e.type));
    for (const type of ['WalletCreated', 'WalletRenamed', 'FundsDeposited', 'FundsWithdrawn', 'TransferDebited', 'TransferCredited', 'TransferCompleted', 'TransferScheduled', 'TransferCancelled', 'WalletClosed'] as const) {
      expect(types, `seed ${SEED}`).toContain(type);
    }
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    // The processor snapshots every 10 events here: the cuts below fall before and after its snapshot.
    const snapshot = await (await createNatsSnapshotStore(stack.nats.nc)).load({ kind: 'wallet', id: walletId });
    expect(snapshot?.version).toBeGreaterThanOrEqual(10);
    expect(snapshot?.version).toBeLessThan(events.length + 1);
  });

  it('equals a replay of the journal at 50 random instants, and balanceAt agrees for every asset', async () => {
    const times = events.map((e) => Date.parse(e.occurredAt));
    const [first, last] = [times[0]!, times.at(-1)!];
    // Event instants themselves (and their neighbours) are where an off-by-one would show.
    const instants = Array.from({ length: 50 }, (_, i) => {
      const t = rng.pick(times);
      return i % 3 === 0 ? t : i % 3 === 1 ? t + rng.between(-1, 1) : rng.between(first - 5, last + 5);
    });
    for (const ms of instants) {
      const at = new Date(ms).toISOString();
      const expected = replay(events, (e) => Date.parse(e.occurredAt) <= ms);
      const body = await client.gql(
        `query($id: ID!, $at: DateTime!) { wallet(id: $id) { asOf(at: $at) { ${STATE} } btc: balanceAt(asset: "BTC", at: $at) { total reserved available version } usd: balanceAt(asset: "USD", at: $at) { total reserved available version } eth: balanceAt(asset: "ETH", at: $at) { total reserved available version } } }`,
        { id: walletId, at },
        aliceToken,
      );
      expect(body.errors).toBeUndefined();
      const wallet = body.data?.['wallet'];
      expect(wallet.asOf, at).toEqual(expected);
      // The read model's ledger entries tell the same balances.
      for (const [alias, code] of [['btc', 'BTC'], ['usd', 'USD'], ['eth', 'ETH']] as const) {
        const b = expected?.balances.find((x) => x.asset === code);
        expect(wallet[alias], `${code} at ${at}`).toEqual(b ? { total: b.total, reserved: b.reserved, available: b.available, version: b.version } : null);
      }
    }
  });

  it('equals a replay after 20 random versions; null at version 0 and beyond the last', async () => {
    const versions = [0, events.length + 1, ...Array.from({ length: 18 }, () => rng.between(1, events.length))];
    for (const version of versions) {
      const expected = version > events.length ? null : replay(events, (e) => e.version <= version);
      expect(await asOf(`version: ${version}`), `version ${version}`).toEqual(expected);
    }
    expect(await asOf('version: 0')).toBeNull();
  });

  it('is null before the wallet was created, and after its last event is what the read models hold', async () => {
    expect(await asOf(`at: "${new Date(Date.parse(events[0]!.occurredAt) - 1).toISOString()}"`)).toBeNull();
    const now = await asOf(`at: "${new Date(Date.now() + 3_600_000).toISOString()}"`);
    expect(now).toMatchObject({ status: 'CLOSED', version: events.length });
    const [view] = await stack.app.read.walletsByIds([walletId]);
    expect(now).toMatchObject({ name: view?.name, status: view?.status, version: view?.version });
    const balances = (await stack.app.read.balancesByWalletIds([walletId])).sort((a, b) => a.asset.localeCompare(b.asset));
    expect(now?.balances).toEqual(balances.map((b) => ({ ...b, updatedAt: b.updatedAt.toISOString() })));
  });

  it('both or neither argument is BAD_USER_INPUT', async () => {
    for (const args of [`at: "${events[0]!.occurredAt}", version: 1`, 'at: null']) {
      const body = await client.gql(`{ wallet(id: "${walletId}") { asOf(${args}) { version } } }`, undefined, aliceToken);
      expect(body.errors?.map((e) => e.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
    }
  });

  it("a foreign user gets the same answer as for an unknown id", async () => {
    const bob = user('bob');
    const cut = { kind: 'version', version: 1 } as const;
    expect(await stack.app.walletAsOf({ principal: bob, walletId, cut })).toBeNull();
    expect(await stack.app.walletAsOf({ principal: bob, walletId: 'no-such-wallet', cut })).toBeNull();
    const bobToken = await client.token('bob');
    const query = (id: string) => client.gql(`{ wallet(id: "${id}") { asOf(version: 1) { name } } }`, undefined, bobToken);
    expect((await query(walletId)).data).toEqual((await query('no-such-wallet')).data);
  });

  it('`jetledger wallet <id> --version <n>` prints the same state as JSON', async () => {
    const version = rng.between(1, events.length);
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [...cliCommand(), 'wallet', ...args], { env: { ...process.env, NATS_URL: stack.server.url, LOG_LEVEL: 'silent' }, timeout: 60_000 });
    const { stdout } = await run([walletId, '--version', String(version)]);
    expect(JSON.parse(stdout)).toEqual(await asOf(`version: ${version}`));
    const at = events[Math.floor(events.length / 2)]!.occurredAt;
    expect(JSON.parse((await run([walletId, '--at', at])).stdout)).toEqual(await asOf(`at: "${at}"`));
    // Before it existed: null, and exit status 1 for scripts.
    await expect(run([walletId, '--version', '0'])).rejects.toMatchObject({ code: 1, stdout: 'null\n' });
  });
});
