/**
 * One deployment as separate processes, as an operator runs it: `start --roles api`,
 * `--roles processor`, `--roles projector,scheduler`, sharing only NATS and MongoDB.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Nats, connectNats } from '../../src/infra/nats/connection.js';
import { readJournal } from '../support/journal.js';
import { waitFor } from '../support/wait.js';
import {
  CommandStatusDocument,
  CreateWalletDocument,
  DepositDocument,
  TransferDocument,
  TransferUpdatedDocument,
  WalletBalancesDocument,
} from './generated/graphql.js';
import { gqlOk } from './support/graphql-http.js';
import { record, wsClient } from './support/graphql-ws.js';
import { type E2EStack, startE2EStack } from './support/stack.js';

let stack: E2EStack;
let url: string;
let alice: string;
let nats: Nats | undefined;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startE2EStack(['api', 'processor', 'projector,scheduler']);
  url = stack.api.graphqlUrl;
  alice = await stack.token('alice');
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await nats?.nc.close();
  await stack?.stop();
});

async function createWallet(name: string): Promise<string> {
  const { createWallet } = await gqlOk(url, CreateWalletDocument, { name, consistency: 'PROJECTED' }, alice);
  expect(createWallet).toMatchObject({ state: 'ACCEPTED', code: null });
  return createWallet.walletId as string;
}

const errorLogs = (output: string): string[] => output.split('\n').filter((line) => /"level":(50|60)/.test(line));

describe('api, processor and projector,scheduler as three processes', () => {
  it('decides and projects a deposit made through the api; the api is ready', async () => {
    expect(stack.processes.map((p) => [p.roles, p.graphqlUrl === null])).toEqual([
      ['api', false],
      ['processor', true],
      ['projector,scheduler', true],
    ]);
    const ready = await fetch(`${stack.api.baseUrl}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { ok: true, checks: { nats: true, mongo: true, streams: true } }]);

    const walletId = await createWallet('Alice split');
    // DECIDED: the processor, in its own process, decided it; the api only published and waited.
    const { deposit } = await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount: '0.75' }, alice);
    expect(deposit).toMatchObject({ state: 'ACCEPTED', walletId, code: null });
    const { commandStatus } = await gqlOk(url, CommandStatusDocument, { id: deposit.commandId }, alice);
    expect(commandStatus).toMatchObject({ commandId: deposit.commandId, state: 'ACCEPTED' });

    // Projected by the third process: the query shows it once the projector got there.
    const balance = await waitFor(
      async () => {
        const { wallet } = await gqlOk(url, WalletBalancesDocument, { walletId }, alice);
        return wallet?.balances.find((b) => b.asset === 'BTC' && b.version === 2);
      },
      { message: 'the projected deposit' },
    );
    expect(balance).toMatchObject({ walletId, total: '0.75', reserved: '0', available: '0.75' });
    for (const p of stack.processes) expect(errorLogs(p.output()), `errors logged by ${p.roles}`).toEqual([]);
  });

  it('shows every stage of a transfer that ran while the projector was down, once it catches up', async () => {
    const from = await createWallet('Alice from');
    const to = await createWallet('Alice to');
    await gqlOk(url, DepositDocument, { walletId: from, asset: 'BTC', amount: '5', consistency: 'PROJECTED' }, alice);
    // A scheduler of its own, so the transfer runs while projector,scheduler is stopped.
    await stack.startProcess('scheduler');

    // Far enough ahead that projector,scheduler is surely stopped before it is due.
    const executeAt = new Date(Date.now() + 3_000).toISOString();
    const { transfer } = await gqlOk(
      url,
      TransferDocument,
      { input: { fromWalletId: from, toWalletId: to, asset: 'BTC', amount: '2', executeAt }, consistency: 'PROJECTED' },
      alice,
    );
    const transferId = transfer.transferId as string;
    const ws = wsClient(stack.wsUrl, alice);
    clients.push(ws);
    const updates = record(ws, TransferUpdatedDocument, { transferId });
    await updates.atLeast(1, 'the scheduled transfer');

    const projector = stack.processes.find((p) => p.roles === 'projector,scheduler');
    expect(await projector?.stop()).toBe(0);
    expect(Date.now(), 'stopped before the transfer was due').toBeLessThan(Date.parse(executeAt));
    nats = await connectNats(stack.nats.url, 'e2e-journal-reader');
    const journal = nats;
    await waitFor(
      async () => (await readJournal(journal)).some((s) => s.event.type === 'TransferCompleted' && (s.event.data as { transferId?: string }).transferId === transferId),
      { timeoutMs: 15_000, message: 'the transfer to complete in the journal' },
    );
    expect(updates.events.map((e) => e.transferUpdated.status)).toEqual(['SCHEDULED']);

    await stack.startProcess('projector,scheduler');
    const seen = (await updates.untilComplete('the catch-up')).map((e) => e.transferUpdated.status);
    expect(seen).toEqual(['SCHEDULED', 'PENDING', 'COMPLETED']);
    const { wallet } = await gqlOk(url, WalletBalancesDocument, { walletId: to }, alice);
    expect(wallet?.balances).toMatchObject([{ asset: 'BTC', total: '2', reserved: '0' }]);
  });
});
