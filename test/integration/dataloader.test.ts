/**
 * The DataLoader promise, measured where it matters: the number of commands MongoDB receives for
 * one query over 50 wallets with their balances and transfers, on the real read store.
 */
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerApp } from '../../src/app/ledger-app.js';
import { projectEvent } from '../../src/app/projection.js';
import { createGraphQLHandler } from '../../src/graphql/server.js';
import { createTokenVerifier, signToken } from '../../src/infra/auth/jwt.js';
import { createMongoReadStore } from '../../src/infra/mongo/read-store.js';
import { TEST_TOPOLOGY, singleWriter } from '../support/projection.js';
import type { StoredEvent } from '../../src/ports.js';
import { type TestDatabase, testDatabase } from '../support/mongo.js';

const SECRET = 'dataloader-test-secret-0123456789abcdef';
const WALLETS = 50;

describe('a 50-wallet query', () => {
  let mongo: TestDatabase;
  let monitored: MongoClient;
  const commands: string[] = [];

  beforeAll(async () => {
    mongo = await testDatabase();
    const events: StoredEvent[] = [];
    let seq = 0;
    const at = new Date('2026-11-01T00:00:00Z').toISOString();
    const base = { occurredAt: at, correlationId: 'seed', actor: 'alice', schemaVersion: 1 };
    for (let i = 0; i < WALLETS; i++) {
      const walletId = `w${String(i).padStart(2, '0')}`;
      events.push({ seq: ++seq, event: { ...base, id: `e${seq}`, commandId: `c${seq}`, type: 'WalletCreated', walletId, version: 1, data: { ownerId: 'alice', name: walletId } } });
      for (const [asset, version] of [['BTC', 2], ['USD', 3]] as const) {
        events.push({
          seq: ++seq,
          event: { ...base, id: `e${seq}`, commandId: `c${seq}`, type: 'FundsDeposited', walletId, version, data: { asset, amount: '1', network: asset === 'BTC' ? 'bitcoin' : 'fiat', totalAfter: '1', reservedAfter: '0' } },
        });
      }
    }
    await (await singleWriter(mongo.db)).apply(events.flatMap(projectEvent), seq);

    monitored = await MongoClient.connect(mongo.uri, { monitorCommands: true });
    monitored.on('commandStarted', (e) => commands.push(e.commandName));
  });
  afterAll(async () => {
    await monitored?.close();
    await mongo?.drop();
  });

  it('makes a bounded number of MongoDB queries, not one per wallet', async () => {
    const read = await createMongoReadStore(monitored.db(mongo.dbName), TEST_TOPOLOGY);
    const app = { read } as unknown as LedgerApp; // queries touch only the read side
    const { yoga } = createGraphQLHandler({ app, verifyToken: createTokenVerifier({ secret: SECRET }), logger: { error() {}, warn() {}, info() {}, debug() {} } });
    const token = await signToken({ secret: SECRET, sub: 'alice', admin: false, ttl: '5m' });
    commands.length = 0;

    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `{ wallets(first: ${WALLETS}) { edges { node { id name balances { asset total available } btc: balance(asset: "BTC") { total } transfers { id } } } } }`,
      }),
    });
    const body = (await response.json()) as { data?: { wallets: { edges: { node: { balances: unknown[]; btc: { total: string } } }[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.wallets.edges).toHaveLength(WALLETS);
    expect(body.data?.wallets.edges.every((e) => e.node.balances.length === 2 && e.node.btc.total === '1')).toBe(true);

    const queries = commands.filter((c) => c === 'find' || c === 'aggregate' || c === 'getMore');
    // One page of wallets, one batch of balances, the transfers of the page (one query per shard's
    // transfers, from and to at once): bounded by the shard count, whatever the page size.
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.length).toBeLessThanOrEqual(2 + TEST_TOPOLOGY.shards);
  });
});
