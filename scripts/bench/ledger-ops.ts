/** The few JetLedger operations the bench drives, over GraphQL. */
import type { GraphQLHttp } from './graphql-http.js';

export type Consistency = 'QUEUED' | 'DECIDED' | 'PROJECTED';

type CommandResult = { state: 'QUEUED' | 'ACCEPTED' | 'REJECTED'; code: string | null; message: string | null; walletId: string | null };

/** USD has 2 decimals and a 0.01 minimum: one dollar is a valid deposit that never nears a limit. */
export const BENCH_ASSET = 'USD';
export const BENCH_AMOUNT = '1.00';

const CREATE_WALLET = `mutation($name: String!) {
  createWallet(consistency: PROJECTED, input: { name: $name }) { state code message walletId }
}`;

const DEPOSIT = `mutation($walletId: ID!, $asset: String!, $amount: Decimal!, $consistency: Consistency!) {
  deposit(consistency: $consistency, input: { walletId: $walletId, asset: $asset, amount: $amount }) { state code message walletId }
}`;

function expectState(result: CommandResult, wanted: CommandResult['state'], what: string): CommandResult {
  if (result.state !== wanted) throw new Error(`${what}: ${result.state} ${result.code ?? ''} ${result.message ?? ''}`.trim());
  return result;
}

export async function createWallet(client: GraphQLHttp, name: string): Promise<string> {
  const { createWallet: result } = await client.post<{ createWallet: CommandResult }>(CREATE_WALLET, { name });
  return expectState(result, 'ACCEPTED', 'createWallet').walletId as string;
}

/** A deposit of BENCH_AMOUNT; throws unless it reached the state the consistency promises. */
export async function deposit(client: GraphQLHttp, walletId: string, consistency: Consistency): Promise<void> {
  const { deposit: result } = await client.post<{ deposit: CommandResult }>(DEPOSIT, { walletId, asset: BENCH_ASSET, amount: BENCH_AMOUNT, consistency });
  expectState(result, consistency === 'QUEUED' ? 'QUEUED' : 'ACCEPTED', 'deposit');
}

const SUBMIT_DEPOSITS = `mutation($commands: [CommandInput!]!, $consistency: Consistency!) {
  submitCommands(commands: $commands, consistency: $consistency) { state code message }
}`;

/**
 * One submitCommands request of a BENCH_AMOUNT deposit into each of `walletIds` (a wallet may
 * repeat); throws unless every command reached the state the consistency promises.
 */
export async function depositBatch(client: GraphQLHttp, walletIds: readonly string[], consistency: Consistency): Promise<void> {
  const commands = walletIds.map((walletId) => ({ deposit: { walletId, asset: BENCH_ASSET, amount: BENCH_AMOUNT } }));
  const { submitCommands: results } = await client.post<{ submitCommands: CommandResult[] }>(SUBMIT_DEPOSITS, { commands, consistency });
  if (results.length !== walletIds.length) throw new Error(`submitCommands: ${results.length} results for ${walletIds.length} commands`);
  for (const result of results) expectState(result, consistency === 'QUEUED' ? 'QUEUED' : 'ACCEPTED', 'submitCommands');
}

/** Runs `task` over `items` with at most `limit` at once. */
export async function inBatches<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
