/**
 * Closed-loop load: N clients, each sending its next request as soon as the previous one is
 * answered, for a fixed time. A request may carry several commands (submitCommands), so the
 * figure is commands/s and the latency is per request. The shapes the bench drives: single
 * deposits with each client on its own wallet, batches over each client's own wallets, and every
 * client on one hot wallet.
 */
import type { GraphQLHttp } from './graphql-http.js';
import { type Consistency, deposit, depositBatch } from './ledger-ops.js';
import { percentile } from './stats.js';

export type LoopResult = Readonly<{
  clients: number;
  /** Commands answered as the consistency promises (a batch counts all of its commands). */
  commands: number;
  requests: number;
  errors: number;
  firstError: string | null;
  elapsedMs: number;
  /** Per request. */
  p50: number;
  p99: number;
}>;

/** `request(i)` is client i's next request; it resolves to the number of commands it completed. */
export async function closedLoop(clients: number, seconds: number, request: (client: number) => Promise<number>): Promise<LoopResult> {
  const latencies: number[] = [];
  let commands = 0;
  let errors = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  // Clients stop starting requests at the deadline; the ones in flight finish and count.
  const loop = async (i: number) => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        // Not `commands += await …`: that reads `commands` before the await and loses the other clients' counts.
        const completed = await request(i);
        commands += completed;
        latencies.push(performance.now() - sent);
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => loop(i)));
  return {
    clients,
    commands,
    requests: latencies.length,
    errors,
    firstError,
    elapsedMs: performance.now() - started,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Client i deposits into wallets[i] only: no two clients ever wait on the same wallet. */
export function singleDeposits(client: GraphQLHttp, wallets: readonly string[], clients: number, seconds: number, consistency: Consistency): Promise<LoopResult> {
  if (wallets.length < clients) throw new Error(`${clients} clients need ${clients} wallets, have ${wallets.length}`);
  return closedLoop(clients, seconds, (i) => deposit(client, wallets[i] as string, consistency).then(() => 1));
}

/**
 * Client i sends batches of `size` deposits spread round robin over its own share of `wallets`
 * (those at i, i + clients, …): like a payout run over many wallets, with no wallet shared between clients.
 */
export function batchDeposits(
  client: GraphQLHttp,
  wallets: readonly string[],
  clients: number,
  size: number,
  seconds: number,
  consistency: Consistency,
): Promise<LoopResult> {
  const shares = Array.from({ length: clients }, (_, i) => wallets.filter((_, w) => w % clients === i));
  if (shares.some((share) => share.length === 0)) throw new Error(`${clients} batch clients need ${clients} wallets, have ${wallets.length}`);
  const batches = shares.map((share) => Array.from({ length: size }, (_, k) => share[k % share.length] as string));
  return closedLoop(clients, seconds, (i) => depositBatch(client, batches[i] as string[], consistency).then(() => size));
}

/** Every client deposits into the same wallet: its decisions are sequential, whatever the clients do. */
export function hotWalletDeposits(client: GraphQLHttp, walletId: string, clients: number, seconds: number, consistency: Consistency): Promise<LoopResult> {
  return closedLoop(clients, seconds, () => deposit(client, walletId, consistency).then(() => 1));
}
