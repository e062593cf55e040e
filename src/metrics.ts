import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Metrics of one process. With every role in one process (`npm start`), the api's /metrics shows
 * them all; a role running alone keeps counting, for a scraper or sidecar that wants them.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'jetledger_' });
  return {
    registry,
    commands: new Counter({
      name: 'jetledger_commands_total',
      help: 'Commands decided by this process, by type and outcome state',
      labelNames: ['type', 'state'] as const,
      registers: [registry],
    }),
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
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

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
