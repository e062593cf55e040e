/**
 * Tracing costs nothing unless asked for: with no OTEL_* variable naming an exporter, no
 * OpenTelemetry package is even loaded, so no SDK and no exporter can run. With an endpoint, the
 * SDK starts and exports there. Each case is a fresh process, as `jetledger start` would be.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../support/otlp-receiver.js';

const CHILD = fileURLToPath(new URL('../support/telemetry-child.ts', import.meta.url));

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver?.close());

async function child(otel: Record<string, string>): Promise<{ on: boolean; packages: string[] }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('OTEL_')) delete env[name];
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...env, ...otel }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  expect(code, out).toBe(0);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as { on: boolean; packages: string[] };
}

describe('tracing on and off', () => {
  it('loads no OpenTelemetry package (so starts no SDK and no exporter) when no OTEL variable asks for traces', async () => {
    expect(await child({})).toEqual({ on: false, packages: [] });
    // Named, but no exporter asked for: still off (the SDK alone would send to localhost:4318).
    expect(await child({ OTEL_SERVICE_NAME: 'jetledger-test', OTEL_TRACES_SAMPLER: 'always_on' })).toEqual({ on: false, packages: [] });
    expect(await child({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'true' })).toEqual({ on: false, packages: [] });
    expect(await child({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_EXPORTER: 'none' })).toEqual({ on: false, packages: [] });
    expect(receiver.spans).toEqual([]);
  });

  it('starts the SDK and exports to OTEL_EXPORTER_OTLP_ENDPOINT when it is set', async () => {
    const started = await child({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'switch-test' });
    expect(started.on).toBe(true);
    expect(started.packages).toEqual(expect.arrayContaining(['@opentelemetry/sdk-node', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/instrumentation-http']));
    // Exported at shutdown, before the process ended.
    expect(receiver.spans.map((s) => [s.service, s.name, s.attributes['test.attribute']])).toEqual([['switch-test', 'child span', 'yes']]);
  });
});
