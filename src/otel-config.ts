/**
 * The OpenTelemetry variables JetLedger sets in its own deployment, checked at start like every
 * other setting: the SDK itself reads them (and the rest of its variables) from the environment,
 * but it shrugs off a typo (an unknown sampler is "always on", an unknown protocol is protobuf),
 * which is a poor way to learn that tracing is not what was asked for.
 */
import { z } from 'zod';

/** The specification's rule: an empty value means unset (how compose turns a default off: `VAR=`). */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional());

const protocol = z.enum(['grpc', 'http/protobuf', 'http/json']);
// OTLP endpoints are http(s) URLs, for gRPC too; `jaeger:4318` would parse as a URL of scheme "jaeger".
const endpoint = z.string().trim().regex(/^https?:\/\/[^/\s]/, 'must be an http:// or https:// URL').pipe(z.string().url());

export const otelVariables = {
  OTEL_SDK_DISABLED: optional(z.enum(['true', 'false'], { message: 'must be true or false' })),
  OTEL_SERVICE_NAME: optional(z.string().trim().max(128)),
  OTEL_TRACES_EXPORTER: optional(
    z
      .string()
      .trim()
      .regex(/^(otlp|console|zipkin|none)(,(otlp|console|zipkin|none))*$/, 'must be a comma-separated list of otlp, console, zipkin or none'),
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(endpoint),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optional(endpoint),
  OTEL_EXPORTER_OTLP_PROTOCOL: optional(protocol),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: optional(protocol),
  OTEL_TRACES_SAMPLER: optional(
    z.enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']),
  ),
  OTEL_TRACES_SAMPLER_ARG: optional(z.coerce.number().min(0).max(1)),
} as const;

export type OtelConfig = { [K in keyof typeof otelVariables]?: z.infer<(typeof otelVariables)[K]> };

/**
 * Tracing is on once an exporter is named, by its endpoint or by OTEL_TRACES_EXPORTER; off when
 * nothing is said (the SDK would otherwise send to localhost:4318, which nobody asked for), when
 * OTEL_SDK_DISABLED=true, or when the exporter is `none`. Off, no OpenTelemetry module is loaded.
 */
export function tracingEnabled(config: OtelConfig): boolean {
  if (config.OTEL_SDK_DISABLED === 'true') return false;
  const exporters = config.OTEL_TRACES_EXPORTER?.split(',') ?? [];
  if (exporters.includes('none')) return false;
  return exporters.length > 0 || config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
}
