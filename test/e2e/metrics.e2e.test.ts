/**
 * /metrics of every role after a known workload, with the api, processor and projector as three
 * processes (the processor and projector on their own METRICS_PORT): decisions counted and timed
 * by type and outcome, consumer backlog, DLQ depth after a poison message, open subscriptions
 * while they are open and after they close, and every metric the Grafana dashboard asks for.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Nats, connectNats } from '../../src/infra/nats/connection.js';
import type { CliProcess } from '../support/cli-process.js';
import { dashboardMetrics, exposedMetrics, readDashboard } from '../support/dashboard.js';
import { waitUntil } from '../support/wait.js';
import { BalanceChangedDocument, CreateWalletDocument, DepositDocument, WithdrawDocument } from './generated/graphql.js';
import { gqlOk } from './support/graphql-http.js';
import { record, wsClient } from './support/graphql-ws.js';
import { sseSubscribe } from './support/sse.js';
import { type E2EStack, startE2EStack } from './support/stack.js';

let stack: E2EStack;
let nats: Nats;
let alice: string;
let walletId: string;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startE2EStack(['api', 'processor', 'projector']);
  nats = await connectNats(stack.nats.url, 'e2e-metrics');
  alice = await stack.token('alice');
  const { createWallet } = await gqlOk(stack.api.graphqlUrl, CreateWalletDocument, { name: 'Measured', consistency: 'PROJECTED' }, alice);
  walletId = createWallet.walletId as string;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await nats?.nc.close();
  await stack?.stop();
});

const role = (roles: string): CliProcess => {
  const found = stack.processes.find((p) => p.roles === roles);
  if (!found) throw new Error(`no ${roles} process`);
  return found;
};

async function scrape(process: CliProcess): Promise<string> {
  const response = await fetch(process.metricsUrl);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const values = [...text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))]
    .filter(([, list = '']) => {
      const present = Object.fromEntries([...list.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
      return Object.entries(labels).every(([k, v]) => present[k] === v);
    })
    .map(([, , value]) => Number(value));
  if (values.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${values.length} samples`);
  return values[0];
}

describe('/metrics of api, processor and projector after a known workload', () => {
  it('counts and times 3 accepted deposits and 2 rejected withdrawals where they were decided', async () => {
    const url = stack.api.graphqlUrl;
    for (let i = 0; i < 3; i++) expect((await gqlOk(url, DepositDocument, { walletId, asset: 'USD', amount: '1' }, alice)).deposit.state).toBe('ACCEPTED');
    for (let i = 0; i < 2; i++) {
      const { withdraw } = await gqlOk(url, WithdrawDocument, { walletId, asset: 'USD', amount: '100' }, alice);
      expect([withdraw.state, withdraw.code]).toEqual(['REJECTED', 'INSUFFICIENT_FUNDS']);
    }

    const processor = await scrape(role('processor'));
    const duration = 'jetledger_command_duration_seconds';
    expect(sample(processor, `${duration}_count`, { type: 'Deposit', outcome: 'ACCEPTED' })).toBe(3);
    expect(sample(processor, `${duration}_count`, { type: 'Withdraw', outcome: 'REJECTED' })).toBe(2);
    expect(sample(processor, `${duration}_count`, { type: 'Withdraw', outcome: 'ACCEPTED' })).toBeUndefined();
    expect(sample(processor, `${duration}_bucket`, { type: 'Deposit', outcome: 'ACCEPTED', le: '+Inf' })).toBe(3);
    // Mutation to decision on one machine: more than nothing, far less than the 10 s a mutation may wait.
    const seconds = sample(processor, `${duration}_sum`, { type: 'Deposit', outcome: 'ACCEPTED' }) ?? 0;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(30);
    expect(sample(processor, 'jetledger_commands_total', { type: 'Deposit', state: 'ACCEPTED' })).toBe(3);
    expect(sample(processor, 'jetledger_commands_total', { type: 'Withdraw', state: 'REJECTED' })).toBe(2);
    expect(sample(processor, 'jetledger_commands_total', { type: 'CreateWallet', state: 'ACCEPTED' })).toBe(1);

    // The api decides nothing: it declares the histogram, with no sample of its own.
    const api = await scrape(stack.api);
    expect(api).toMatch(new RegExp(`^# TYPE ${duration} histogram$`, 'm'));
    expect(sample(api, `${duration}_count`, { type: 'Deposit' })).toBeUndefined();

    // Both durable consumers drained (asked of the server at each scrape).
    await waitUntil(async () => {
      const text = await scrape(role('processor'));
      for (const consumer of [{ stream: 'COMMANDS', consumer: 'processor' }, { stream: 'JOURNAL', consumer: 'transfer-saga' }]) {
        expect(sample(text, 'jetledger_consumer_pending_messages', consumer), consumer.consumer).toBe(0);
        expect(sample(text, 'jetledger_consumer_ack_pending_messages', consumer), consumer.consumer).toBe(0);
      }
    });
    const projector = await scrape(role('projector'));
    expect(sample(projector, 'jetledger_projection_shards_owned')).toBe(17);
    expect(sample(projector, 'jetledger_projection_lag_events', { shard: 'assets' })).toBe(0);
  });

  it('shows the DLQ depth after a poison message', async () => {
    expect(sample(await scrape(role('processor')), 'jetledger_dlq_messages', { stream: 'DLQ' })).toBe(0);
    await nats.js.publish(`cmd.wallet.${walletId}`, new TextEncoder().encode('not a command'));
    const text = await waitUntil(async () => {
      const scraped = await scrape(role('processor'));
      expect(sample(scraped, 'jetledger_dlq_messages', { stream: 'DLQ' })).toBe(1);
      return scraped;
    });
    expect(sample(text, 'jetledger_dead_letters_total', { consumer: 'processor' })).toBe(1);
  });

  it('counts open subscriptions by kind over graphql-ws and SSE, and their end', async () => {
    const open = async () => sample(await scrape(stack.api), 'jetledger_graphql_subscriptions_active', { kind: 'balanceChanged' });
    const ws = wsClient(stack.wsUrl, alice);
    clients.push(ws);
    await record(ws, BalanceChangedDocument, { walletId }).atLeast(1, 'the current balance over graphql-ws');
    expect(await open()).toBe(1);
    const sse = await sseSubscribe(stack.api.graphqlUrl, BalanceChangedDocument, { walletId }, alice);
    await sse.atLeast(1, 'the current balance over SSE');
    expect(await open()).toBe(2);

    sse.close();
    await waitUntil(async () => expect(await open()).toBe(1), { message: 'the SSE subscription to be counted out' });
    await ws.dispose();
    await waitUntil(async () => expect(await open()).toBe(0), { message: 'the graphql-ws subscription to be counted out' });
  });

  it('serves, across the roles, a sample of every metric the Grafana dashboard asks for', async () => {
    const texts = await Promise.all(stack.processes.map(scrape));
    const exposed = new Set(texts.flatMap((text) => [...exposedMetrics(text)]));
    const used = dashboardMetrics(readDashboard());
    expect(used.length).toBeGreaterThan(5);
    for (const metric of used) {
      expect(exposed, metric).toContain(metric);
      expect(texts.some((text) => new RegExp(`^${metric}(\\{| )`, 'm').test(text)), `a sample of ${metric}`).toBe(true);
    }
  });
});
