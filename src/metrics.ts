import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Reads what only a round trip can tell (consumer and stream info) right before a scrape answers. */
export type ScrapeProbe = () => Promise<void>;

/**
 * Metrics of one process. With every role in one process (`npm start`), the api's /metrics shows
 * them all; a process without the api serves its own on METRICS_PORT (see main.ts).
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'jetledger_' });
  const probes = new Set<ScrapeProbe>();
  return {
    registry,
    commands: new Counter({
      name: 'jetledger_commands_total',
      help: 'Commands decided by this process, by type and outcome state (a repeat answered from the recorded outcome is not counted again)',
      labelNames: ['type', 'state'] as const,
      registers: [registry],
    }),
    commandDuration: new Histogram({
      name: 'jetledger_command_duration_seconds',
      help: "From the command's issuedAt (stamped by the api as it sends the mutation's command) to its decision, recorded by the processor that decided it",
      labelNames: ['type', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: 'jetledger_graphql_subscriptions_active',
      help: 'GraphQL subscriptions open on this api (HTTP SSE and graphql-ws), by root field',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    jetstream: jetstreamMetrics(registry),
    projection: projectionMetrics(registry),
    sagaAnomalies: new Counter({
      name: 'jetledger_saga_anomalies_total',
      help: 'Transfers in a state the saga should never find (e.g. credited while the source no longer had it pending): alert on any',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'jetledger_dead_letters_total',
      help: 'Messages sent to the DLQ, by consumer',
      labelNames: ['consumer'] as const,
      registers: [registry],
    }),
    /** Runs `probe` before each scrape; returns what unregisters it. */
    beforeScrape(probe: ScrapeProbe): () => void {
      probes.add(probe);
      return () => void probes.delete(probe);
    },
    render: async () => {
      await Promise.all([...probes].map((probe) => probe()));
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** Server-side state of the durable consumers and the DLQ, as of the scrape (see infra/nats/jetstream-probe.ts). */
function jetstreamMetrics(registry: Registry) {
  return {
    pending: new Gauge({
      name: 'jetledger_consumer_pending_messages',
      help: 'Messages of the stream the durable consumer has not delivered yet',
      labelNames: ['stream', 'consumer'] as const,
      registers: [registry],
    }),
    ackPending: new Gauge({
      name: 'jetledger_consumer_ack_pending_messages',
      help: 'Messages delivered to the durable consumer and not acknowledged yet (in work, or waiting for redelivery)',
      labelNames: ['stream', 'consumer'] as const,
      registers: [registry],
    }),
    // Labelled, so that a value the server cannot give disappears instead of reading 0.
    dlq: new Gauge({
      name: 'jetledger_dlq_messages',
      help: 'Messages in the DLQ stream: dead letters waiting for `jetledger dlq replay`',
      labelNames: ['stream'] as const,
      registers: [registry],
    }),
  };
}

export type JetStreamGauges = ReturnType<typeof jetstreamMetrics>;

export type Metrics = ReturnType<typeof createMetrics>;

/** Per shard this process projects; a shard handed to another instance leaves this process's series. */
function projectionMetrics(registry: Registry) {
  const events = new Counter({
    name: 'jetledger_projected_events_total',
    help: 'Journal events applied to the read models, by shard',
    labelNames: ['shard'] as const,
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'jetledger_projection_lag_events',
    help: "Events of the shard in the journal that the read models do not show yet (as of the shard's last batch)",
    labelNames: ['shard'] as const,
    registers: [registry],
  });
  const checkpoint = new Gauge({
    name: 'jetledger_projection_checkpoint',
    help: 'Journal sequence up to which the shard is projected',
    labelNames: ['shard'] as const,
    registers: [registry],
  });
  const shards = new Gauge({ name: 'jetledger_projection_shards_owned', help: 'Projection shards this process holds a lease on', registers: [registry] });
  let current: readonly string[] = [];
  return {
    events,
    lag,
    checkpoint,
    owned(owned: readonly string[]) {
      for (const shard of current) {
        if (owned.includes(shard)) continue;
        lag.remove({ shard });
        checkpoint.remove({ shard });
      }
      current = owned;
      shards.set(owned.length);
    },
  };
}
