/** The variables that shape what a browser, an attacker and an operator meet: validated at start, with safe defaults. */
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_METRICS_PORT, corsPolicy, graphiqlEnabled, loadConfig } from '../../src/config.js';
import { tracingEnabled } from '../../src/otel-config.js';

const production = { NODE_ENV: 'production' };

describe('GRAPHIQL', () => {
  it('is on in development and off in production unless GRAPHIQL=true', () => {
    expect(graphiqlEnabled(loadConfig({}))).toBe(true);
    expect(graphiqlEnabled(loadConfig(production))).toBe(false);
    expect(graphiqlEnabled(loadConfig({ ...production, GRAPHIQL: 'true' }))).toBe(true);
    expect(graphiqlEnabled(loadConfig({ GRAPHIQL: 'false' }))).toBe(false);
  });

  it('refuses anything but true or false', () => {
    expect(() => loadConfig({ GRAPHIQL: 'yes please' })).toThrow(/GRAPHIQL: must be true or false/);
  });
});

describe('CORS_ORIGINS', () => {
  it('allows no cross-origin caller in production and localhost in development by default', () => {
    expect(corsPolicy(loadConfig(production))).toEqual({ origins: [], localhost: false });
    expect(corsPolicy(loadConfig({}))).toEqual({ origins: [], localhost: true });
  });

  it('takes a comma-separated list of origins, which replaces the default', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' });
    expect(corsPolicy(config)).toEqual({ origins: ['https://app.example.com', 'http://localhost:5173'], localhost: false });
  });

  it.each(['*', 'https://app.example.com/', 'app.example.com', 'https://app.example.com/path', 'ftp://files.example.com'])(
    'refuses %j with a message naming the variable',
    (value) => {
      expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS: .* is not an origin/);
    },
  );
});

describe('MUTATION_RATE_LIMIT and GRAPHQL_DEBUG_ERRORS', () => {
  it('defaults to 300 mutations a minute per user; 0 turns the limit off', () => {
    expect(loadConfig({}).MUTATION_RATE_LIMIT).toBe(300);
    expect(loadConfig({ MUTATION_RATE_LIMIT: '0' }).MUTATION_RATE_LIMIT).toBe(0);
    expect(() => loadConfig({ MUTATION_RATE_LIMIT: '-1' })).toThrow(/MUTATION_RATE_LIMIT/);
    expect(() => loadConfig({ MUTATION_RATE_LIMIT: 'lots' })).toThrow(/MUTATION_RATE_LIMIT/);
  });

  it('shows no error internals unless asked, and never in production', () => {
    expect(loadConfig({}).GRAPHQL_DEBUG_ERRORS).toBe(false);
    expect(loadConfig({ GRAPHQL_DEBUG_ERRORS: 'true' }).GRAPHQL_DEBUG_ERRORS).toBe(true);
    expect(() => loadConfig({ ...production, JWT_SECRET: 's'.repeat(32), GRAPHQL_DEBUG_ERRORS: 'true' })).toThrow(/GRAPHQL_DEBUG_ERRORS: must not be true/);
  });
});

describe('METRICS_PORT', () => {
  it('is unset by default (a process without the api then serves 9464, or a free port when taken) and takes 0..65535', () => {
    expect(loadConfig({}).METRICS_PORT).toBeUndefined();
    expect(DEFAULT_METRICS_PORT).toBe(9464);
    expect(loadConfig({ METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
    expect(loadConfig({ METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
    for (const bad of ['65536', '-1', 'metrics', '94.64']) expect(() => loadConfig({ METRICS_PORT: bad }), bad).toThrow(/METRICS_PORT/);
  });
});

describe('OTEL_* variables', () => {
  it('turn tracing on once an exporter is named, by endpoint or OTEL_TRACES_EXPORTER', () => {
    expect(tracingEnabled(loadConfig({}))).toBe(false);
    expect(tracingEnabled(loadConfig({ OTEL_SERVICE_NAME: 'jetledger-api' }))).toBe(false);
    expect(tracingEnabled(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }))).toBe(true);
    expect(tracingEnabled(loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/v1/traces' }))).toBe(true);
    expect(tracingEnabled(loadConfig({ OTEL_TRACES_EXPORTER: 'console' }))).toBe(true);
  });

  it('leave it off when disabled, when the exporter is none, and when the endpoint is empty (unset, per the specification)', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' };
    expect(tracingEnabled(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: 'true' }))).toBe(false);
    expect(tracingEnabled(loadConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }))).toBe(false);
    expect(tracingEnabled(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }))).toBe(false);
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'jaeger:4318'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http'],
    ['OTEL_TRACES_SAMPLER', 'sometimes'],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5'],
    ['OTEL_TRACES_EXPORTER', 'jaeger'],
    ['OTEL_SDK_DISABLED', 'yes'],
  ])('refuse %s=%j, which the SDK would quietly read as something else', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });
});
