import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createHarness } from './harness.js';

describe('query limits (graphql-armor)', () => {
  it('refuses a query nested deeper than 12', async () => {
    const h = await createHarness();
    // Each transfers/from pair adds two levels.
    const deep = `{ wallet(id: "wallet-a1") { ${'transfers { from { '.repeat(6)}id${' } }'.repeat(6)} } }`;
    const { body } = await h.gql(deep, undefined, h.tokens.alice);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.message).toMatch(/depth limit/i);
  });

  it('refuses more than 20 aliases', async () => {
    const h = await createHarness();
    const { body } = await h.gql(`{ ${Array.from({ length: 21 }, (_, i) => `a${i}: assets { code }`).join(' ')} }`);
    expect(body.errors?.[0]?.message).toMatch(/aliases limit/i);
  });

  it('refuses an expensive fan-out (100 wallets x 100 transactions)', async () => {
    const h = await createHarness();
    const { body } = await h.gql(
      '{ wallets(first: 100) { edges { node { transactions(first: 100) { edges { node { id amount } } } } } } }',
      undefined,
      h.tokens.alice,
    );
    expect(body.errors?.[0]?.message).toMatch(/cost limit/i);
  });

  it('lets the full introspection query through (GraphiQL and codegen need it)', async () => {
    const h = await createHarness();
    const { body } = await h.gql(getIntrospectionQuery());
    expect(body.errors).toBeUndefined();
    expect(body.data?.['__schema'].queryType.name).toBe('Query');
  });
});

describe('GraphiQL', () => {
  const page = async (token?: string) => {
    const h = await createHarness(undefined, token ? { graphiqlToken: token } : {});
    const response = await h.yoga.fetch('http://jetledger.test/graphql', { headers: { accept: 'text/html' } });
    return response.text();
  };

  it('opens with the demo token in its headers when one is given', async () => {
    const html = await page('demo.jwt.token');
    expect(html).toContain('Bearer demo.jwt.token');
  });

  it('carries no token otherwise', async () => {
    expect(await page()).not.toContain('Bearer');
  });
});
