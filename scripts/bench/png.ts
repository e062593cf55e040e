/**
 * SVG to PNG through Debian's headless Chromium, driven by playwright-core (no browser download),
 * launched as test/e2e/graphiql.e2e.test.ts does: a fresh profile, no network beyond the page.
 * A PNG because the README shows it and every viewer renders it the same. Without Chromium (or
 * when it will not start) the SVG is written instead and the caller says so: a missing browser
 * must not cost a bench run.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.js';

export type Written = Readonly<{ path: string; format: 'png' | 'svg'; note: string | null }>;


export async function writeSvgAsPng(svg: string, size: { width: number; height: number }, pngPath: string): Promise<Written> {
  await mkdir(dirname(pngPath), { recursive: true });
  const svgPath = `${pngPath.replace(/\.png$/i, '')}.svg`;
  const fallback = async (why: string): Promise<Written> => {
    await writeFile(svgPath, svg);
    return { path: svgPath, format: 'svg', note: `${why}: wrote the SVG instead of the PNG` };
  };
  if (!existsSync(CHROMIUM)) return fallback(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

  const profile = await mkdtemp(join(tmpdir(), 'jetledger-bench-chromium-'));
  try {
    // Imported here: a machine without the devDependency still gets its SVG.
    const { chromium } = await import('playwright-core');
    // A fresh, empty profile each run (Playwright passes it as --user-data-dir, and --headless for headless: true).
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: size,
      // Twice the pixels: sharp text where the README scales the image down.
      deviceScaleFactor: 2,
      timeout: 60_000,
    });
    try {
      // The SVG is inline and self-contained: any request at all would be a mistake.
      await context.route('**/*', (route) => route.abort('blockedbyclient'));
      const page = context.pages()[0] ?? (await context.newPage());
      await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
      await page.screenshot({ path: pngPath, clip: { x: 0, y: 0, ...size } });
    } finally {
      await context.close();
    }
    return { path: pngPath, format: 'png', note: null };
  } catch (error) {
    return fallback(`Chromium failed (${(error as Error).message.split('\n')[0]})`);
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
