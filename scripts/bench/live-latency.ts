/**
 * Latency from sending a deposit (consistency QUEUED: the API answers once the command is stored)
 * to the matching `balanceChanged` notification over graphql-ws. Deposits go out open loop at a
 * fixed rate, round robin over several wallets, each watched by its own graphql-ws connection and
 * subscription, as separate users would. Open loop, because a closed loop slows down with the
 * system and hides the queueing a steady arrival rate meets.
 *
 * Matching is by version: every deposit adds one event to its wallet, so the k-th deposit sent to
 * a wallet is visible once that wallet's balance reached its starting version + k + 1. Coalesced
 * notifications (one for several versions) still count every deposit they cover.
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
  wallets: number;
}>;

const SUBSCRIPTION = `subscription($walletId: ID!, $asset: String) {
  balanceChanged(walletId: $walletId, asset: $asset) { version total }
}`;

/** After the last answer, how long to wait for the stragglers' notifications. */
const DRAIN_MS = 15_000;
const SUBSCRIBE_MS = 15_000;

type Watch = {
  /** When each deposit to this wallet was sent, in sending order. */
  readonly sentAt: number[];
  readonly ready: Promise<void>;
  matched(): number;
  dispose(): Promise<void>;
};

/** One wallet's own connection and subscription; `onSample` gets each deposit's latency. */
function watchWallet(graphqlUrl: string, token: string, walletId: string, onSample: (ms: number) => void): Watch {
  const ws = createClient({
    url: graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    // Lazy (the default): connection errors reach the sink below instead of being printed.
    retryAttempts: 0,
  });
  const sentAt: number[] = [];
  let base: number | null = null;
  let matched = 0;
  let onBase: (() => void) | null = null;
  let failure: unknown = null;
  const ready = new Promise<void>((resolve, reject) => {
    onBase = () => (failure === null ? resolve() : reject(new Error(`balanceChanged of ${walletId} failed: ${JSON.stringify(failure)}`)));
  });
  const unsubscribe = ws.subscribe<{ balanceChanged: { version: number; total: string } }>(
    { query: SUBSCRIPTION, variables: { walletId, asset: BENCH_ASSET } },
    {
      next: (result) => {
        const now = performance.now();
        const version = result.data?.balanceChanged.version;
        if (version === undefined) return;
        // The first emission is the current balance (the wallet must already hold BENCH_ASSET).
        if (base === null) {
          base = version;
          onBase?.();
          return;
        }
        while (matched < sentAt.length && version >= base + matched + 1) {
          onSample(now - (sentAt[matched] as number));
          matched++;
        }
      },
      error: (error) => {
        failure = error;
        onBase?.();
      },
      complete: () => undefined,
    },
  );
  return {
    sentAt,
    ready,
    matched: () => matched,
    dispose: async () => {
      unsubscribe();
      await ws.dispose();
    },
  };
}

export async function measureLiveLatency(opts: {
  client: GraphQLHttp;
  graphqlUrl: string;
  token: string;
  wallets: readonly string[];
  seconds: number;
  rate: number;
}): Promise<LatencyResult> {
  const { client, rate } = opts;
  const count = Math.max(2, Math.round(opts.seconds * rate));
  const samples: number[] = [];
  const ackSamples: number[] = [];
  const watches = opts.wallets.map((w) => watchWallet(opts.graphqlUrl, opts.token, w, (ms) => samples.push(ms)));
  try {
    await withDeadline(Promise.all(watches.map((w) => w.ready)), SUBSCRIBE_MS, `no initial balanceChanged within ${SUBSCRIBE_MS} ms`);
    let errors = 0;
    let firstError: string | null = null;
    const interval = 1000 / rate;
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      // Scheduled against the start, not the previous send, so timer drift does not lower the rate.
      const wait = start + i * interval - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const w = i % watches.length;
      const sent = performance.now();
      (watches[w] as Watch).sentAt.push(sent);
      inFlight.push(
        deposit(client, opts.wallets[w] as string, 'QUEUED').then(
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
    const matched = () => watches.reduce((sum, w) => sum + w.matched(), 0);
    const drainUntil = performance.now() + DRAIN_MS;
    while (matched() < count && errors === 0 && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 20));
    return {
      samples,
      ackSamples,
      sent: count,
      missing: count - matched(),
      errors,
      firstError,
      rate: ((count - 1) * 1000) / sendingMs,
      wallets: watches.length,
    };
  } finally {
    await Promise.all(watches.map((w) => w.dispose().catch(() => undefined)));
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
