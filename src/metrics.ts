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
    projectedEvents: new Counter({ name: 'jetledger_projected_events_total', help: 'Journal events applied to the read models', registers: [registry] }),
    checkpoint: new Gauge({ name: 'jetledger_projector_checkpoint', help: 'Journal sequence the read models are complete up to', registers: [registry] }),
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
