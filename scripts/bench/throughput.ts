/**
 * End-to-end deposits/s: N closed-loop clients, each depositing into its own wallet with
 * consistency PROJECTED (the answer comes once the read model shows the deposit), for a fixed time.
 */
import type { GraphQLHttp } from './graphql-http.js';
import { deposit } from './ledger-ops.js';
import { percentile } from './stats.js';

export type LevelResult = Readonly<{
  clients: number;
  completed: number;
  errors: number;
  firstError: string | null;
  elapsedMs: number;
  p50: number;
  p99: number;
}>;

/** Clients stop starting deposits at the deadline; the ones in flight finish and count. */
export async function runLevel(client: GraphQLHttp, wallets: readonly string[], clients: number, seconds: number): Promise<LevelResult> {
  if (wallets.length < clients) throw new Error(`${clients} clients need ${clients} wallets, have ${wallets.length}`);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async (walletId: string) => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        await deposit(client, walletId, 'PROJECTED');
        latencies.push(performance.now() - sent);
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(wallets.slice(0, clients).map(loop));
  return {
    clients,
    completed: latencies.length,
    errors,
    firstError,
    elapsedMs: performance.now() - started,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
