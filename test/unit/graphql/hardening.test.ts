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
  const open = async (options: { graphiqlToken?: string; graphiql?: boolean } = {}) => {
    const h = await createHarness(undefined, options);
    const response = await h.yoga.fetch('http://jetledger.test/graphql', { headers: { accept: 'text/html' } });
    return { h, response, html: await response.text() };
  };

  it('opens with the demo token in its headers when one is given', async () => {
    const { html } = await open({ graphiqlToken: 'demo.jwt.token' });
    expect(html).toContain('Bearer demo.jwt.token');
  });

  it('carries no token otherwise', async () => {
    expect((await open()).html).not.toContain('Bearer');
  });

  it('has its title, and loads every file from the api itself: no CDN, nothing inline to run', async () => {
    const { h, response, html } = await open();
    expect(html).toContain('<title>JetLedger GraphiQL</title>');
    expect(html).not.toContain('__TITLE__');
    expect(html).not.toMatch(/https?:\/\//);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    const files = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(files).toHaveLength(5);
    for (const file of files) {
      expect(file).toMatch(/^\/graphiql\/[\d.]+\//);
      const asset = await h.yoga.fetch(`http://jetledger.test${file}`);
      expect([file, asset.status]).toEqual([file, 200]);
      expect(asset.headers.get('cache-control')).toContain('immutable');
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    // Monaco's three workers, asked for by label through the page's MonacoEnvironment.
    const env = await (await h.yoga.fetch(`http://jetledger.test${files.find((f) => f.endsWith('monaco-env.js'))}`)).text();
    for (const worker of [...env.matchAll(/"(\/graphiql\/[^"]+\.worker\.js)"/g)].map((m) => m[1] as string)) {
      const response = await h.yoga.fetch(`http://jetledger.test${worker}`);
      expect([worker, response.status, response.headers.get('content-type')]).toEqual([worker, 200, 'text/javascript; charset=utf-8']);
    }
  });

  it('keeps a hostile token inside its JSON: it cannot end the script element', async () => {
    const { html } = await open({ graphiqlToken: '</script><script>alert(1)</script>' });
    expect(html).not.toContain('</script><script>alert(1)');
  });

  it('is not served when turned off', async () => {
    const { response, html } = await open({ graphiql: false });
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(html).not.toContain('GraphiQL');
  });
});
