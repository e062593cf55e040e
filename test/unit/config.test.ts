/** The variables that shape what a browser and an attacker meet: validated at start, with safe defaults. */
import { describe, expect, it } from 'vitest';
import { ConfigError, corsPolicy, graphiqlEnabled, loadConfig } from '../../src/config.js';

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
