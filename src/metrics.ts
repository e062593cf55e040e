import { Registry, collectDefaultMetrics } from 'prom-client';

/** Process metrics for /metrics; JetLedger-specific counters register on the same registry. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'jetledger_' });
  return {
    registry,
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
