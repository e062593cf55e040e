/**
 * Starts telemetry as `jetledger start` does, from this process's environment, ends one span if
 * tracing is on, and prints which OpenTelemetry packages the process loaded (they are CommonJS:
 * the require cache holds every one of them, imported or required).
 */
import { createRequire } from 'node:module';
import { loadConfig } from '../../src/config.js';
import { startTelemetry } from '../../src/infra/telemetry/start.js';

const telemetry = await startTelemetry(loadConfig(), 'telemetry-child');
await telemetry?.tracing.internal('child span', { 'test.attribute': 'yes' }, async () => undefined);
await telemetry?.shutdown();
const packages = Object.keys(createRequire(import.meta.url).cache)
  .map((path) => /node_modules\/(@opentelemetry\/[^/]+)\//.exec(path)?.[1])
  .filter((name): name is string => name !== undefined);
process.stdout.write(`${JSON.stringify({ on: telemetry !== null, packages: [...new Set(packages)].sort() })}\n`);
