/**
 * Latency from sending a deposit (consistency QUEUED: the API answers once the command is stored)
 * to the matching `balanceChanged` notification over graphql-ws. Deposits go out open loop at a
 * fixed rate to one wallet; the i-th deposit is matched by the balance version it must reach
 * (every deposit adds one event to the wallet), so coalesced notifications still count.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphQLHttp } from './graphql-http.js';
import { BENCH_ASSET, deposit } from './ledger-ops.js';

export type LatencyResult = Readonly<{
  samples: number[];
  /** Time to the QUEUED answer of the mutation itself. */
  ackSamples: number[];
  sent: number;
  missing: number;
  errors: number;
  firstError: string | null;
  /** The send rate reached (deposits/s), to compare with the one asked for. */
  rate: number;
}>;

const SUBSCRIPTION = `subscription($walletId: ID!, $asset: String) {
  balanceChanged(walletId: $walletId, asset: $asset) { version total }
}`;

/** After the last deposit, how long to wait for the stragglers' notifications. */
const DRAIN_MS = 15_000;

export async function measureLiveLatency(
  client: GraphQLHttp,
  graphqlUrl: string,
  token: string,
  walletId: string,
  count: number,
  rate: number,
): Promise<LatencyResult> {
  // The wallet must already hold a BENCH_ASSET balance, so the subscription emits it at once.
  const ws = createClient({
    url: graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    // Lazy (the default): connection errors reach the sink below instead of being printed.
    retryAttempts: 0,
  });
  const sentAt: number[] = new Array(count);
  const samples: number[] = [];
  const ackSamples: number[] = [];
  let baseVersion: number | null = null;
  let matched = 0;
  let onBase: (() => void) | null = null;
  let onAll: (() => void) | null = null;
  let subscriptionError: unknown = null;

  const unsubscribe = ws.subscribe<{ balanceChanged: { version: number; total: string } }>(
    { query: SUBSCRIPTION, variables: { walletId, asset: BENCH_ASSET } },
    {
      next: (result) => {
        const now = performance.now();
        const version = result.data?.balanceChanged.version;
        if (version === undefined) return;
        if (baseVersion === null) {
          baseVersion = version;
          onBase?.();
          return;
        }
        // Deposit i (0-based) is visible once the balance reached baseVersion + i + 1.
        while (matched < count && sentAt[matched] !== undefined && version >= baseVersion + matched + 1) {
          samples.push(now - (sentAt[matched] as number));
          matched++;
        }
        if (matched === count) onAll?.();
      },
      error: (error) => {
        subscriptionError = error;
        onBase?.();
        onAll?.();
      },
      complete: () => undefined,
    },
  );

  try {
    await withDeadline(new Promise<void>((resolve) => (onBase = resolve)), 10_000, 'no initial balanceChanged');
    if (subscriptionError !== null) throw new Error(`balanceChanged failed: ${JSON.stringify(subscriptionError)}`);

    let errors = 0;
    let firstError: string | null = null;
    const interval = 1000 / rate;
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      // Scheduled against the start, not the previous send, so timer drift does not lower the rate.
      const wait = start + i * interval - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const sent = performance.now();
      sentAt[i] = sent;
      inFlight.push(
        deposit(client, walletId, 'QUEUED').then(
          () => void ackSamples.push(performance.now() - sent),
          (error: unknown) => {
            errors++;
            firstError ??= (error as Error).message;
          },
        ),
      );
    }
    const sendingMs = performance.now() - start;
    await Promise.all(inFlight);
    if (matched < count && errors === 0) {
      await withDeadline(new Promise<void>((resolve) => (onAll = resolve)), DRAIN_MS, '').catch(() => undefined);
    }
    return { samples, ackSamples, sent: count, missing: count - matched, errors, firstError, rate: count > 1 ? ((count - 1) * 1000) / sendingMs : rate };
  } finally {
    unsubscribe();
    await ws.dispose();
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]).finally(() => clearTimeout(timer));
}
