/**
 * The OpenTelemetry SDK for Node, configured by the standard OTEL_* variables (exporter, endpoint,
 * protocol, sampler, resource, propagators: the SDK reads them itself), with the ecosystem's
 * instrumentations for what JetLedger does not trace by hand: incoming HTTP (so a client's own
 * `traceparent` continues its trace) and the MongoDB driver. Imported only when tracing is on.
 *
 * Instrumentations patch modules as they are loaded, so this runs before the rest of JetLedger is
 * imported (cli.ts imports main.js afterwards).
 */
import { createRequire } from 'node:module';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { graphqlTracingPlugins, traceDelivery } from './graphql-tracing.js';
import { activeTraceIds, createOtelTracing } from './otel-tracing.js';
import type { Telemetry } from './start.js';

/** Probes and scrapes would each be a trace of their own, every few seconds, saying nothing. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export async function startSdk(env: NodeJS.ProcessEnv, defaultServiceName: string): Promise<Telemetry> {
  const named = Boolean(env.OTEL_SERVICE_NAME?.trim()) || /(^|,)\s*service\.name=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  const sdk = new NodeSDK({
    // The variables' name wins; otherwise the process says which roles it runs.
    ...(named ? {} : { serviceName: defaultServiceName }),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has(new URL(req.url ?? '/', 'http://x').pathname) }),
      new MongoDBInstrumentation(),
    ],
    // Metrics are Prometheus' (/metrics) and logs are pino's (stdout): the SDK exports neither
    // unless their own variables ask it to (it would default to OTLP for both).
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();
  // node:http is a builtin that ESM imports without `require`; asking for it once lets the
  // instrumentation's require hook patch the Server that the api's listener will use.
  createRequire(import.meta.url)('node:http');
  return {
    tracing: createOtelTracing(),
    graphql: { plugins: graphqlTracingPlugins(), traceDelivery: traceDelivery() },
    logMixin: activeTraceIds,
    shutdown: () => sdk.shutdown(),
  };
}
