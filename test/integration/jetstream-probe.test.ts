/**
 * Consumer backlog and DLQ depth as /metrics shows them, against a real nats-server: read from
 * the server at each scrape, and gone (not stale) when the server cannot answer.
 */
import { AckPolicy } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Nats, connectNats } from '../../src/infra/nats/connection.js';
import { ensureDurable } from '../../src/infra/nats/durable-consumer.js';
import { jetStreamProbe } from '../../src/infra/nats/jetstream-probe.js';
import { ensureStreams } from '../../src/infra/nats/streams.js';
import { STREAMS, dlqSubject } from '../../src/infra/nats/topology.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { type TestNats, startTestNats } from '../support/nats.js';

let server: TestNats;
let nats: Nats;

beforeAll(async () => {
  server = await startTestNats();
  nats = await connectNats(server.url, 'probe-test');
  await ensureStreams(nats.nc, nats.jsm);
});

afterAll(async () => {
  await nats?.nc.close();
  await server?.stop();
});

const line = (body: string, name: string) => body.split('\n').filter((l) => l.startsWith(name));

describe('the JetStream probe behind /metrics', () => {
  it('reports pending and ack-pending per durable consumer and the DLQ depth, as of each scrape', async () => {
    const consumer = { stream: STREAMS.commands, consumer: 'probe-test' };
    await ensureDurable(nats.jsm, { stream: STREAMS.commands, durable: consumer.consumer, description: 'probe test', filterSubject: 'cmd.wallet.*' });
    expect((await nats.jsm.consumers.info(STREAMS.commands, consumer.consumer)).config.ack_policy).toBe(AckPolicy.Explicit);
    for (let i = 0; i < 5; i++) await nats.js.publish(`cmd.wallet.probe-${i}`, new TextEncoder().encode('{}'));
    await nats.js.publish(dlqSubject(STREAMS.commands, 'processor'), new TextEncoder().encode('dead'));

    const metrics = createMetrics();
    const unwatch = metrics.beforeScrape(jetStreamProbe(nats.jsm, [consumer], metrics.jetstream, createLogger('silent')));
    let body = (await metrics.render()).body;
    expect(line(body, 'jetledger_consumer_pending_messages{')).toEqual(['jetledger_consumer_pending_messages{stream="COMMANDS",consumer="probe-test"} 5']);
    expect(line(body, 'jetledger_consumer_ack_pending_messages{')).toEqual(['jetledger_consumer_ack_pending_messages{stream="COMMANDS",consumer="probe-test"} 0']);
    expect(line(body, 'jetledger_dlq_messages{')).toEqual(['jetledger_dlq_messages{stream="DLQ"} 1']);

    // Two delivered and not acknowledged: in work, as far as the server knows.
    const messages = await (await nats.js.consumers.get(STREAMS.commands, consumer.consumer)).fetch({ max_messages: 2, expires: 2_000 });
    let taken = 0;
    for await (const _ of messages) taken++;
    expect(taken).toBe(2);
    body = (await metrics.render()).body;
    expect(line(body, 'jetledger_consumer_pending_messages{')).toEqual(['jetledger_consumer_pending_messages{stream="COMMANDS",consumer="probe-test"} 3']);
    expect(line(body, 'jetledger_consumer_ack_pending_messages{')).toEqual(['jetledger_consumer_ack_pending_messages{stream="COMMANDS",consumer="probe-test"} 2']);

    // A consumer the server no longer knows, or a server that cannot answer, leaves no number behind.
    await nats.jsm.consumers.delete(STREAMS.commands, consumer.consumer);
    body = (await metrics.render()).body;
    expect(line(body, 'jetledger_consumer_pending_messages{')).toEqual([]);
    expect(line(body, 'jetledger_dlq_messages{')).toEqual(['jetledger_dlq_messages{stream="DLQ"} 1']);
    await server.kill();
    body = (await metrics.render()).body;
    expect(line(body, 'jetledger_dlq_messages{')).toEqual([]);
    expect(body).toContain('# TYPE jetledger_dlq_messages gauge');

    // Unwatched, the scrape asks the server nothing (it would wait out a request timeout here).
    unwatch();
    const started = performance.now();
    await metrics.render();
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
