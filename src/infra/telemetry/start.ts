/**
 * Tracing on or off, decided once at start from the OTEL_* variables (src/otel-config.ts). Off,
 * nothing of OpenTelemetry is loaded, no exporter runs, and every adapter gets NO_TRACING: the
 * cost of tracing that nobody asked for is one boolean test per message.
 */
import type { Plugin } from 'graphql-yoga';
import type { TraceDelivery } from '../../graphql/context.js';
import { type OtelConfig, tracingEnabled } from '../../otel-config.js';
import type { Tracing } from './tracing.js';

export type Telemetry = Readonly<{
  tracing: Tracing;
  graphql: Readonly<{ plugins: readonly Plugin[]; traceDelivery: TraceDelivery }>;
  /** For pino's `mixin`: the trace_id and span_id of the span a line is written in. */
  logMixin: () => object;
  /** Sends the spans still buffered; called last at shutdown. */
  shutdown(): Promise<void>;
}>;

/** `serviceName`: service.name unless OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) names one. */
export async function startTelemetry(config: OtelConfig, serviceName: string, env: NodeJS.ProcessEnv = process.env): Promise<Telemetry | null> {
  if (!tracingEnabled(config)) return null;
  const { startSdk } = await import('./sdk.js');
  return startSdk(env, serviceName);
}
