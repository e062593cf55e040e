/**
 * Debian's headless Chromium as this project drives it (the bench's chart, the GraphiQL browser
 * test): no browser download, a fresh empty profile each time, and none of the background
 * networking that a machine with a closed network refuses.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
