/**
 * `jetledger wallet <id> --at <instant> | --version <n>`: the whole wallet as it stood then,
 * folded from the journal by the same code as the API's Wallet.asOf, printed as the same
 * WalletState in JSON. It needs NATS_URL only: the journal is the source of truth, and an
 * operator asking "what did this wallet hold" should not depend on the read models being right.
 */
import { parseArgs } from 'node:util';
import { type AsOfCut, type WalletStateView, createWalletAsOf } from '../app/wallet-as-of.js';
import { ConfigError, loadConfig } from '../config.js';
import { parseInstant } from '../domain/instant.js';
import { idSchema } from '../graphql/validation.js';
import { connectNats } from '../infra/nats/connection.js';
import { readTopology } from '../infra/nats/streams.js';
import { readerJournal } from '../roles.js';

const USAGE = 'usage: jetledger wallet <wallet id> --at <ISO instant with offset> | --version <n>';

export function parseWalletArgs(args: string[]): { walletId: string; cut: AsOfCut } {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { at: { type: 'string' }, version: { type: 'string' } } });
  const [walletId, ...extra] = positionals;
  if (walletId === undefined || extra.length > 0) throw new ConfigError(USAGE);
  // The id becomes a journal subject token: a dot or a wildcard would read other wallets' events.
  const id = idSchema.safeParse(walletId);
  if (!id.success) throw new ConfigError(`wallet id "${walletId}" ${id.error.issues[0]?.message ?? 'is invalid'}`);
  if ((values.at === undefined) === (values.version === undefined)) throw new ConfigError(`give exactly one of --at and --version\n${USAGE}`);
  if (values.at !== undefined) {
    const ms = parseInstant(values.at);
    if (ms === null) throw new ConfigError(`--at "${values.at}" is not an ISO-8601 instant with an offset, like 2030-01-01T00:00:00Z`);
    return { walletId, cut: { kind: 'at', at: new Date(ms) } };
  }
  const version = Number(values.version);
  if (!/^\d+$/.test(values.version ?? '') || !Number.isSafeInteger(version)) throw new ConfigError(`--version "${values.version}" is not a whole number >= 0`);
  return { walletId, cut: { kind: 'version', version } };
}

/** The GraphQL WalletState's fields, in its order: what `{ asOf { … } }` answers, field for field. */
export function walletStateJson(state: WalletStateView | null): string {
  if (state === null) return 'null';
  const { walletId, name, status, version, occurredAt, balances } = state;
  return JSON.stringify({ walletId, name, status, version, occurredAt, balances }, null, 2);
}

export async function walletCommand(args: string[]): Promise<number> {
  const { walletId, cut } = parseWalletArgs(args);
  const config = loadConfig();
  if (!config.NATS_URL) throw new ConfigError('jetledger wallet needs NATS_URL of the deployment');
  const nats = await connectNats(config.NATS_URL, 'jetledger-wallet');
  try {
    const state = await createWalletAsOf(readerJournal(nats, await readTopology(nats.nc)))(walletId, cut);
    console.log(walletStateJson(state));
    return state === null ? 1 : 0;
  } finally {
    await nats.nc.close();
  }
}
