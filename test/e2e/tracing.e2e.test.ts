/**
 * One command, one trace, across processes: the api, the processor and the projector run as three
 * `jetledger start --roles X` processes exporting OTLP/JSON to a receiver inside the test. A
 * deposit sent with the client's own `traceparent` must come back as one tree under that parent:
 * the HTTP request, the GraphQL mutation, the command on COMMANDS, its decision, the event on
 * JOURNAL, the projection, the live notification and its delivery to an open subscription.
 */
import { randomBytes } from 'node:crypto';
import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Nats, connectNats } from '../../src/infra/nats/connection.js';
import { STREAMS } from '../../src/infra/nats/topology.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver.js';
import { waitFor } from '../support/wait.js';
import { BalanceChangedDocument, CreateWalletDocument, DepositDocument } from './generated/graphql.js';
import { gqlOk } from './support/graphql-http.js';
import { record, wsClient } from './support/graphql-ws.js';
import { type E2EStack, startE2EStack } from './support/stack.js';

let receiver: OtlpReceiver;
let stack: E2EStack;
let nats: Nats | undefined;
const clients: Client[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startE2EStack(['api', 'processor', 'projector'], (roles) => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    // Export within 50 ms of a span ending, not the default 5 s.
    OTEL_BSP_SCHEDULE_DELAY: '50',
    // The api's per-request lines (yoga's, at debug) are the ones that must carry the trace id.
    ...(roles === 'api' ? { LOG_LEVEL: 'debug' } : {}),
  }));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await nats?.nc.close();
  await stack?.stop();
  await receiver?.close();
});

/** The span's ancestors within `spans`, nearest first. */
function ancestors(span: ReceivedSpan, spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) chain.push(parent);
  return chain;
}

describe('one deposit traced through api, processor and projector', () => {
  it('forms one tree under the client traceparent, naming the GraphQL operation and the NATS subjects', async () => {
    const url = stack.api.graphqlUrl;
    const alice = await stack.token('alice');
    const { createWallet } = await gqlOk(url, CreateWalletDocument, { name: 'Traced', consistency: 'PROJECTED' }, alice);
    const walletId = createWallet.walletId as string;

    const ws = wsClient(stack.wsUrl, alice);
    clients.push(ws);
    const balances = record(ws, BalanceChangedDocument, { walletId });
    // A first deposit shows that the subscription is live before the traced one is sent.
    await gqlOk(url, DepositDocument, { walletId, asset: 'USD', amount: '1' }, alice);
    await balances.atLeast(1, 'the untraced deposit');

    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: `Bearer ${alice}`,
        traceparent: `00-${traceId}-${clientSpanId}-01`,
      },
      body: JSON.stringify({ query: print(DepositDocument), operationName: 'Deposit', variables: { walletId, asset: 'USD', amount: '2' } }),
    });
    expect(await response.json()).toMatchObject({ data: { deposit: { state: 'ACCEPTED' } } });
    const [, second] = await balances.atLeast(2, 'the traced deposit');
    expect(second?.balanceChanged).toMatchObject({ total: '3', version: 3 });

    const named = (spans: readonly ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
    const expected = [
      'mutation Deposit',
      'publish cmd.wallet.{walletId}',
      'process cmd.wallet.{walletId}',
      'decide Deposit',
      'publish evt.wallet.{shard}.{walletId}',
      'publish live.balance.{walletId}',
      'deliver balanceChanged',
    ];
    const trace = await waitFor(
      () => {
        const spans = receiver.spans.filter((s) => s.traceId === traceId);
        const batch = spans.some((s) => /^process evt\.wallet\.\d+\.\*$/.test(s.name));
        return batch && expected.every((name) => named(spans, name).length > 0) ? spans : null;
      },
      { timeoutMs: 20_000, message: `every span of the traced deposit (got ${receiver.spans.filter((s) => s.traceId === traceId).map((s) => s.name).join(', ')})` },
    );
    expect(receiver.refused).toEqual([]);

    // One tree: a single root, the api's HTTP span, whose parent is the client's span; every other
    // span's parent is in the trace.
    const ids = new Set(trace.map((s) => s.spanId));
    const roots = trace.filter((s) => !ids.has(s.parentSpanId));
    expect(roots.map((s) => [s.service, s.kind, s.parentSpanId])).toEqual([['jetledger-api', 2, clientSpanId]]);
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(['jetledger-api', 'jetledger-processor', 'jetledger-projector']));

    const one = (name: string): ReceivedSpan => {
      const spans = named(trace, name);
      expect(spans, name).toHaveLength(1);
      return spans[0] as ReceivedSpan;
    };
    const mutation = one('mutation Deposit');
    expect(mutation.attributes).toMatchObject({ 'graphql.operation.name': 'Deposit', 'graphql.operation.type': 'mutation' });

    const command = one('publish cmd.wallet.{walletId}');
    expect([command.service, command.kind]).toEqual(['jetledger-api', 4]);
    expect(command.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': `cmd.wallet.${walletId}`, 'messaging.operation.type': 'send' });
    expect(ancestors(command, trace)).toContain(mutation);

    const processed = one('process cmd.wallet.{walletId}');
    expect([processed.service, processed.kind, processed.parentSpanId]).toEqual(['jetledger-processor', 5, command.spanId]);
    expect(processed.attributes).toMatchObject({ 'messaging.destination.name': `cmd.wallet.${walletId}`, 'messaging.consumer.group.name': 'processor' });
    const decision = one('decide Deposit');
    expect(decision.parentSpanId).toBe(processed.spanId);
    expect(decision.attributes).toMatchObject({ 'jetledger.command.type': 'Deposit', 'jetledger.command.outcome': 'ACCEPTED' });

    const event = one('publish evt.wallet.{shard}.{walletId}');
    const journalSubject = String(event.attributes['messaging.destination.name']);
    expect(journalSubject).toMatch(new RegExp(`^evt\\.wallet\\.\\d+\\.${walletId}$`));
    expect(ancestors(event, trace)).toContain(decision);

    // The projector's batch (this one event) continues the event's trace, and writes to MongoDB in it.
    const shard = journalSubject.split('.')[2];
    const batch = one(`process evt.wallet.${shard}.*`);
    expect([batch.service, batch.parentSpanId]).toEqual(['jetledger-projector', event.spanId]);
    expect(batch.attributes).toMatchObject({ 'messaging.batch.message_count': 1, 'jetledger.projection.shard': shard });
    const writes = trace.filter((s) => s.attributes['db.system.name'] === 'mongodb' && s.attributes['db.collection.name'] === 'balances');
    expect(writes.length).toBeGreaterThan(0);
    for (const write of writes) expect([write.service, write.parentSpanId]).toEqual(['jetledger-projector', batch.spanId]);

    const notification = one('publish live.balance.{walletId}');
    expect(notification.attributes).toMatchObject({ 'messaging.destination.name': `live.balance.${walletId}` });
    expect(ancestors(notification, trace)).toContain(batch);
    const delivery = one('deliver balanceChanged');
    expect([delivery.service, delivery.parentSpanId]).toEqual(['jetledger-api', notification.spanId]);

    // The saga looked at the event too (a deposit asks nothing of it): a child of the event.
    const saga = trace.filter((s) => s.attributes['messaging.consumer.group.name'] === 'transfer-saga');
    expect(saga.map((s) => s.parentSpanId)).toEqual([event.spanId]);

    // The event in the journal carries the trace in its headers (contract/events.md).
    nats = await connectNats(stack.nats.url, 'e2e-trace-reader');
    const stored = await nats.jsm.streams.getMessage(STREAMS.journal, { last_by_subj: journalSubject });
    expect(stored.header.get('traceparent')).toBe(`00-${traceId}-${event.spanId}-01`);

    // The api's log lines for that request carry its trace id (and the span they were written in).
    const lines = stack.api
      .output()
      .split('\n')
      .filter((line) => line.includes(`"trace_id":"${traceId}"`))
      .map((line) => JSON.parse(line) as { msg: string; span_id: string });
    expect(lines.map((l) => l.msg)).toContain('Processing GraphQL Parameters');
    for (const line of lines) expect(ids.has(line.span_id), `span ${line.span_id} of "${line.msg}"`).toBe(true);
  });
});
