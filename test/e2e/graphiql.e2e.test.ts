/**
 * GraphiQL as a person meets it, in a real browser: Debian's Chromium driven by playwright-core
 * (no browser download). The browser may reach only 127.0.0.1: everything else is aborted and
 * fails the test, which is how "no CDN" is proven. The page renders, runs a query with the demo
 * token it opened with, and shows a live subscription update. The screenshot is docs/graphiql.png.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { gqlOk } from './support/graphql-http.js';
import { type E2EStack, startE2EStack } from './support/stack.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.js';

const available = existsSync(CHROMIUM);
// CI installs chromium (.ci/run): there, a missing browser is a failure, not a skip.
const skip = !available && !process.env['CI'];
if (skip) console.warn(`graphiql.e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const SCREENSHOT = join(process.cwd(), 'docs', 'graphiql.png');

describe.skipIf(skip)('GraphiQL in headless Chromium', () => {
  let stack: E2EStack;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  const outside: string[] = [];
  const failed: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    stack = await startE2EStack();
    profile = await mkdtemp(join(tmpdir(), 'jetledger-chromium-'));
    // A fresh, empty profile each run (Playwright passes it as --user-data-dir).
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: { width: 1400, height: 820 },
    });
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      outside.push(url.href);
      return route.abort('blockedbyclient');
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('requestfailed', (request) => failed.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    await stack?.stop();
  });

  /** Replaces the operation in the editor and runs it. */
  async function run(operation: string): Promise<void> {
    const editor = page.locator('.graphiql-query-editor .monaco-editor').last();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(operation);
    // Monaco closes brackets as they are typed: whatever it added sits after the cursor.
    await page.keyboard.press('ControlOrMeta+Shift+End');
    await page.keyboard.press('Delete');
    await page.getByRole('button', { name: /prettify/i }).first().click();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+Home');
    // GraphiQL reads the operation name after a pause in typing; the tab shows it once it has.
    const name = /^(?:query|mutation|subscription)\s+(\w+)/.exec(operation)?.[1] ?? '';
    await page.locator('.graphiql-tab-active', { hasText: name }).first().waitFor({ timeout: 10_000 });
    await page.locator('.graphiql-execute-button').first().click();
  }

  // Monaco draws spaces as no-break spaces.
  const response = async () => (await page.locator('.graphiql-response').first().innerText()).replace(/\u00a0/g, ' ');

  /** Waits for the response pane to satisfy `check`; a failure says what the page showed and logged. */
  async function shows(check: (text: string) => boolean, what: string): Promise<void> {
    let last = '';
    try {
      await waitFor(async () => check((last = await response())), { timeoutMs: 15_000, message: what });
    } catch (error) {
      await page.screenshot({ path: join(tmpdir(), 'jetledger-graphiql-failure.png') }).catch(() => undefined);
      const editor = await page.locator('.graphiql-query-editor').first().innerText().catch(() => '?');
      throw new Error(`${(error as Error).message}\nresponse pane: ${last}\neditor: ${editor}\nproblems: ${problems.join(' | ')}\nfailed: ${failed.join(' | ')}`);
    }
  }

  it('renders offline, runs a query with the demo token, and shows a live subscription update', async () => {
    // The wallet of the demo user, whose token GraphiQL opens with.
    const demo = await stack.token('demo');
    const created = await gqlOk<{ createWallet: { walletId: string } }, Record<string, never>>(
      stack.api.graphqlUrl,
      'mutation { createWallet(input: { name: "Demo savings" }, consistency: PROJECTED) { walletId } }',
      {},
      demo,
    );
    const walletId = created.createWallet.walletId;
    const deposit = (amount: string) =>
      gqlOk<unknown, Record<string, never>>(stack.api.graphqlUrl, `mutation { deposit(input: { walletId: "${walletId}", asset: "BTC", amount: "${amount}" }, consistency: PROJECTED) { state } }`, {}, demo);
    await deposit('0.5');

    await page.goto(stack.api.graphqlUrl);
    expect(await page.title()).toBe('JetLedger GraphiQL');
    await page.locator('.graphiql-container').first().waitFor({ timeout: 20_000 });
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({ timeout: 20_000 });

    await run('query MyWallets { wallets { edges { node { name balances { asset total } } } } }');
    await shows((text) => text.includes('Demo savings'), 'the query result in GraphiQL');
    expect(await response()).toContain('"total": "0.5"');
    expect(await response()).not.toContain('UNAUTHENTICATED');

    // A second tab, as a person would: GraphiQL remembers each tab's operation name.
    await page.locator('.graphiql-tab-add').first().click();
    await run(`subscription WatchBalance { balanceChanged(walletId: "${walletId}") { asset total available version } }`);
    await shows((text) => text.includes('"version": 2'), 'the current balance in GraphiQL');
    await deposit('0.25');
    await shows((text) => text.includes('"total": "0.75"'), 'the live update in GraphiQL');

    await page.screenshot({ path: SCREENSHOT });
    expect(outside).toEqual([]);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
  });
});
