/**
 * The two clients front ends use, for real, against the started service: Apollo Client 4
 * (HttpLink + GraphQLWsLink through split, InMemoryCache) and urql (fetchExchange +
 * subscriptionExchange over graphql-ws, Graphcache). The set-ups are the README's.
 * The promise: a live balanceChanged updates the wallet already in the cache, without a refetch;
 * a REJECTED command and a BAD_USER_INPUT error reach each library where it puts them.
 */
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { loadDevMessages, loadErrorMessages } from '@apollo/client/dev';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { Client as UrqlClient, fetchExchange, subscriptionExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { type Client as WsClient, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../support/wait.js';
import { gqlOk } from './support/graphql-http.js';
import { type E2EStack, startE2EStack } from './support/stack.js';

let stack: E2EStack;
let alice: string;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  stack = await startE2EStack();
  alice = await stack.token('alice');
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await stack?.stop();
});

const WALLET = gql`
  query WalletOnScreen($id: ID!) {
    wallet(id: $id) {
      id
      name
      balances { id asset total available version }
    }
  }
`;
const WALLET_OTHER_FIELDS = gql`
  query WalletDetails($id: ID!) {
    wallet(id: $id) {
      id
      balances { id reserved updatedAt }
    }
  }
`;
const BALANCE_CHANGED = gql`
  subscription OnBalanceChanged($walletId: ID!) {
    balanceChanged(walletId: $walletId) { id walletId asset total available version }
  }
`;
const CREATE = gql`
  mutation Create($name: String!) {
    createWallet(input: { name: $name }, consistency: PROJECTED) { id state walletId }
  }
`;
const DEPOSIT = gql`
  mutation Deposit($walletId: ID!, $asset: String!, $amount: Decimal!) {
    deposit(input: { walletId: $walletId, asset: $asset, amount: $amount }, consistency: PROJECTED) { id state code message }
  }
`;
const WITHDRAW = gql`
  mutation Withdraw($walletId: ID!, $amount: Decimal!) {
    withdraw(input: { walletId: $walletId, asset: "BTC", amount: $amount }) { id state code message }
  }
`;

type Balance = { id: string; asset: string; total: string; available?: string; version: number };
type WalletData = { wallet: { id: string; name: string; balances: Balance[] } | null };

/** A deposit made by someone else's client: only the subscription can tell ours about it. */
const depositElsewhere = (walletId: string, asset: string, amount: string) =>
  gqlOk(stack.api.graphqlUrl, DEPOSIT, { walletId, asset, amount }, alice);

/** Fetch that counts the GraphQL operations it carries, by name. */
function countingFetch() {
  const counts = new Map<string, number>();
  const fetcher: typeof fetch = (input, init) => {
    const name = /"operationName":"(\w+)"/.exec(String(init?.body ?? ''))?.[1] ?? '?';
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return fetch(input, init);
  };
  return { fetcher, count: (name: string) => counts.get(name) ?? 0 };
}

function wsClient(): WsClient {
  const client = createClient({
    url: stack.wsUrl,
    webSocketImpl: WebSocket,
    // A function: every (re)connection sends the token current at that moment.
    connectionParams: () => ({ authorization: `Bearer ${alice}` }),
  });
  cleanups.push(() => client.dispose());
  return client;
}

describe('Apollo Client 4', () => {
  let client: ApolloClient;
  let counted: ReturnType<typeof countingFetch>;
  const warnings: string[] = [];

  beforeAll(() => {
    loadDevMessages();
    loadErrorMessages();
    const original = { warn: console.warn, error: console.error };
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
    console.error = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
    cleanups.push(() => Object.assign(console, original));

    counted = countingFetch();
    const http = new HttpLink({ uri: stack.api.graphqlUrl, headers: { authorization: `Bearer ${alice}` }, fetch: counted.fetcher });
    const ws = new GraphQLWsLink(wsClient());
    const link = ApolloLink.split(
      ({ query }) => {
        const definition = getMainDefinition(query);
        return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
      },
      ws,
      http,
    );
    client = new ApolloClient({ link, cache: new InMemoryCache() });
    cleanups.push(() => client.stop());
  });

  it('creates a wallet, deposits, and a live balanceChanged updates the cached wallet without a refetch', async () => {
    const created = await client.mutate<{ createWallet: { state: string; walletId: string } }>({ mutation: CREATE, variables: { name: 'Apollo' } });
    const walletId = created.data!.createWallet.walletId;
    const deposited = await client.mutate<{ deposit: { state: string } }>({ mutation: DEPOSIT, variables: { walletId, asset: 'BTC', amount: '1' } });
    expect(deposited.data?.deposit.state).toBe('ACCEPTED');

    await client.query<WalletData>({ query: WALLET, variables: { id: walletId } });
    // Another query selecting other Balance fields: merged by Balance.id, no "Cache data may be lost".
    await client.query({ query: WALLET_OTHER_FIELDS, variables: { id: walletId } });
    const onScreen: WalletData[] = [];
    const watched = client.watchQuery<WalletData>({ query: WALLET, variables: { id: walletId }, fetchPolicy: 'cache-only' }).subscribe(({ data }) => {
      if (data) onScreen.push(data as WalletData);
    });
    cleanups.push(() => watched.unsubscribe());
    const fetchedBefore = counted.count('WalletOnScreen');

    const live: Balance[] = [];
    const subscription = client.subscribe<{ balanceChanged: Balance }>({ query: BALANCE_CHANGED, variables: { walletId } }).subscribe(({ data }) => {
      if (!data) return;
      live.push(data.balanceChanged);
      // A new asset: add it to the wallet's list (an existing one is updated in place by its id).
      client.cache.modify({
        id: client.cache.identify({ __typename: 'Wallet', id: walletId }),
        fields: {
          balances: (existing: readonly { __ref: string }[], { toReference }) => {
            const ref = toReference(data.balanceChanged as unknown as { __typename: string; id: string });
            return ref && !existing.some((e) => e.__ref === ref.__ref) ? [...existing, ref] : existing;
          },
        },
      });
    });
    cleanups.push(() => subscription.unsubscribe());
    await waitFor(() => live.length >= 1, { message: 'the current balance over graphql-ws' });

    await depositElsewhere(walletId, 'BTC', '0.5');
    await depositElsewhere(walletId, 'ETH', '2');
    const latest = await waitFor(() => {
      const balances = onScreen.at(-1)?.wallet?.balances ?? [];
      return balances.length === 2 && balances.find((b) => b.asset === 'BTC')?.total === '1.5' ? balances : null;
    }, { message: `the cached wallet to show both deposits (seen ${JSON.stringify(onScreen.at(-1))})` });
    expect(latest).toEqual([
      { __typename: 'Balance', id: `${walletId}:BTC`, asset: 'BTC', total: '1.5', available: '1.5', version: 3 },
      { __typename: 'Balance', id: `${walletId}:ETH`, asset: 'ETH', total: '2', available: '2', version: 4 },
    ]);
    expect(counted.count('WalletOnScreen')).toBe(fetchedBefore);
    expect(warnings.filter((w) => /Cache data may be lost|Missing field/.test(w))).toEqual([]);
  });

  it('surfaces a REJECTED command as data and BAD_USER_INPUT as CombinedGraphQLErrors', async () => {
    const created = await client.mutate<{ createWallet: { walletId: string } }>({ mutation: CREATE, variables: { name: 'Apollo errors' } });
    const walletId = created.data!.createWallet.walletId;
    const rejected = await client.mutate<{ withdraw: { state: string; code: string } }>({ mutation: WITHDRAW, variables: { walletId, amount: '5' } });
    expect(rejected.data?.withdraw).toMatchObject({ state: 'REJECTED', code: 'INSUFFICIENT_FUNDS' });

    const failure = await client.mutate({ mutation: WITHDRAW, variables: { walletId, amount: 1.5 } }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(CombinedGraphQLErrors.is(failure)).toBe(true);
    expect((failure as CombinedGraphQLErrors).errors.map((e) => e.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
  });
});

describe('urql with Graphcache', () => {
  let client: UrqlClient;
  let counted: ReturnType<typeof countingFetch>;

  beforeAll(() => {
    counted = countingFetch();
    const ws = wsClient();
    client = new UrqlClient({
      url: stack.api.graphqlUrl,
      fetch: counted.fetcher,
      // POST: the api's CSRF prevention refuses a GET without a non-simple header.
      preferGetMethod: false,
      fetchOptions: () => ({ headers: { authorization: `Bearer ${alice}` } }),
      exchanges: [
        cacheExchange({
          updates: {
            Subscription: {
              // A new asset joins the wallet's list; an existing balance is updated by its id.
              balanceChanged: (result, _args, cache) => {
                const balance = (result as { balanceChanged: Balance & { walletId: string } }).balanceChanged;
                const wallet = cache.keyOfEntity({ __typename: 'Wallet', id: balance.walletId });
                const list = (cache.resolve(wallet, 'balances') as string[] | null) ?? null;
                const key = cache.keyOfEntity({ __typename: 'Balance', id: balance.id });
                if (wallet && list && key && !list.includes(key)) cache.link(wallet, 'balances', [...list, key]);
              },
            },
          },
        }),
        fetchExchange,
        subscriptionExchange({
          forwardSubscription: (request) => ({
            subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
          }),
        }),
      ],
    });
  });

  it('creates a wallet, deposits, and a live balanceChanged updates the cached wallet without a refetch', async () => {
    const created = await client.mutation(CREATE, { name: 'urql' }).toPromise();
    const walletId = (created.data as { createWallet: { walletId: string } }).createWallet.walletId;
    expect((await client.mutation(DEPOSIT, { walletId, asset: 'BTC', amount: '1' }).toPromise()).data).toMatchObject({ deposit: { state: 'ACCEPTED' } });

    const onScreen: WalletData[] = [];
    const watched = client.query(WALLET, { id: walletId }, { requestPolicy: 'cache-first' }).subscribe((result) => {
      if (result.data) onScreen.push(result.data as WalletData);
    });
    cleanups.push(() => watched.unsubscribe());
    await waitFor(() => onScreen.length >= 1, { message: 'the wallet query' });
    const fetchedBefore = counted.count('WalletOnScreen');

    const live: unknown[] = [];
    const subscription = client.subscription(BALANCE_CHANGED, { walletId }).subscribe((result) => {
      if (result.data) live.push(result.data);
    });
    cleanups.push(() => subscription.unsubscribe());
    await waitFor(() => live.length >= 1, { message: 'the current balance over graphql-ws' });

    await depositElsewhere(walletId, 'BTC', '0.25');
    await depositElsewhere(walletId, 'ETH', '3');
    const latest = await waitFor(() => {
      const balances = onScreen.at(-1)?.wallet?.balances ?? [];
      return balances.length === 2 && balances.find((b) => b.asset === 'BTC')?.total === '1.25' ? balances : null;
    }, { message: `the cached wallet to show both deposits (seen ${JSON.stringify(onScreen.at(-1))})` });
    // Graphcache keeps __typename out of enumeration; the fields are what a screen shows.
    expect(latest.map(({ id, asset, total, available, version }) => ({ id, asset, total, available, version }))).toEqual([
      { id: `${walletId}:BTC`, asset: 'BTC', total: '1.25', available: '1.25', version: 3 },
      { id: `${walletId}:ETH`, asset: 'ETH', total: '3', available: '3', version: 4 },
    ]);
    expect(counted.count('WalletOnScreen')).toBe(fetchedBefore);
  });

  it('surfaces a REJECTED command as data and BAD_USER_INPUT in error.graphQLErrors', async () => {
    const created = await client.mutation(CREATE, { name: 'urql errors' }).toPromise();
    const walletId = (created.data as { createWallet: { walletId: string } }).createWallet.walletId;
    const rejected = await client.mutation(WITHDRAW, { walletId, amount: '5' }).toPromise();
    expect(rejected.error).toBeUndefined();
    expect(rejected.data).toMatchObject({ withdraw: { state: 'REJECTED', code: 'INSUFFICIENT_FUNDS' } });

    const failure = await client.mutation(WITHDRAW, { walletId, amount: 1.5 }).toPromise();
    expect(failure.error?.networkError).toBeUndefined();
    expect(failure.error?.graphQLErrors.map((e) => e.extensions['code'])).toEqual(['BAD_USER_INPUT']);
  });
});
