/**
 * The whole production shape, each role its own `jetledger start --roles …` process: two apis,
 * two processors, three projectors and a scheduler. Clients send immediate and scheduled
 * transfers over HTTP (retrying on the other api with the same idempotency key when one fails)
 * while processes of every role are SIGKILLed and restarted at random. Afterwards money is
 * conserved per asset, every transfer ended exactly once, and the read models equal a replay.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDecimal } from '../../src/app/decimal.js';
import { auditJournal } from '../../src/app/verify.js';
import { runVerification } from '../../src/commands/verify.js';
import { signToken } from '../../src/infra/auth/jwt.js';
import { type Nats, connectNats } from '../../src/infra/nats/connection.js';
import { journalExtent, readJournal } from '../../src/infra/nats/journal-reader.js';
import { type CliProcess, startCli } from '../support/cli-process.js';
import { type TestDatabase, testDatabase } from '../support/mongo.js';
import { type TestNats, startTestNats } from '../support/nats.js';
import { seeded } from '../support/random.js';
import { waitFor } from '../support/wait.js';

const SEED = 21;
const WALLETS = 16;
const CLIENTS = 12;
const TRANSFERS = 360;
const KILLS = 6;
const FUNDING = '500';
const ROLES = ['api', 'api', 'processor', 'processor', 'projector', 'projector', 'projector', 'scheduler'] as const;

type Answer = { commandId: string; state: string; code: string | null; transferId: string | null; walletId: string | null };

describe('two apis, two processors, three projectors and a scheduler, with random SIGKILLs', () => {
  let nats: TestNats;
  let mongo: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let secret: string;
  let reader: Nats;
  const slots: CliProcess[] = [];
  const everyProcess: CliProcess[] = [];

  const start = async (roles: string) => {
    const p = await startCli({ roles, env, readyTimeoutMs: 60_000 });
    everyProcess.push(p);
    return p;
  };

  beforeAll(async () => {
    nats = await startTestNats();
    mongo = await testDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'jetledger-topology-'));
    secret = randomBytes(32).toString('hex');
    env = { NATS_URL: nats.url, MONGODB_URI: mongo.uri, MONGODB_DB: mongo.dbName, JWT_SECRET: secret, DATA_DIR: dataDir, PROJECTION_LEASE_TTL_MS: '2000' };
    // The first processor registers the asset catalog; the rest start together.
    slots.push(await start('processor'));
    slots.push(...(await Promise.all(ROLES.slice(1).map(start))));
    reader = await connectNats(nats.url, 'topology-reader');
  }, 120_000);
  afterAll(async () => {
    await Promise.all(everyProcess.map((p) => p.kill()));
    await reader?.nc.close();
    await mongo?.drop().catch(() => undefined);
    await nats?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const apis = () => slots.filter((p) => p.graphqlUrl !== null);

  /** One GraphQL mutation, sent to the apis in turn until one answers: a dead api is a connection error, not an answer. */
  async function mutate(token: string, query: string, variables: Record<string, unknown>, field: string, first: number): Promise<Answer> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 40; attempt++) {
      const candidates = apis();
      const api = candidates[(first + attempt) % candidates.length];
      try {
        const response = await fetch(api!.graphqlUrl as string, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        });
        const body = (await response.json()) as { data?: Record<string, Answer> | null; errors?: Array<{ extensions?: { code?: string } }> };
        const answer = body.data?.[field];
        if (answer) return answer;
        lastError = new Error(`no answer: ${JSON.stringify(body.errors)}`);
      } catch (error) {
        lastError = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * Math.min(attempt + 1, 10)));
    }
    throw lastError;
  }

  const RESULT = 'commandId state code transferId walletId';
  const CREATE = `mutation($name: String!, $key: String) { createWallet(input: { name: $name, idempotencyKey: $key }, consistency: PROJECTED) { ${RESULT} } }`;
  const DEPOSIT = `mutation($walletId: ID!, $amount: Decimal!, $key: String) { deposit(input: { walletId: $walletId, asset: "USD", amount: $amount, idempotencyKey: $key }, consistency: PROJECTED) { ${RESULT} } }`;
  const TRANSFER = `mutation($input: TransferInput!, $consistency: Consistency) { transfer(input: $input, consistency: $consistency) { ${RESULT} } }`;
  const CANCEL = `mutation($transferId: ID!, $key: String) { cancelTransfer(input: { transferId: $transferId, idempotencyKey: $key }) { ${RESULT} } }`;

  it('conserves money, ends every transfer exactly once and keeps the read models equal to a replay', { timeout: 300_000 }, async () => {
    const random = seeded(SEED);
    const owners = Array.from({ length: WALLETS }, (_, i) => `owner-${i}`);
    const tokens = await Promise.all(owners.map((sub) => signToken({ secret, sub, admin: false, ttl: '1h' })));
    const wallets = await Promise.all(
      owners.map(async (owner, i) => {
        const created = await mutate(tokens[i]!, CREATE, { name: owner, key: 'create' }, 'createWallet', i);
        expect(created.state).toBe('ACCEPTED');
        expect((await mutate(tokens[i]!, DEPOSIT, { walletId: created.walletId, amount: FUNDING, key: 'fund' }, 'deposit', i)).state).toBe('ACCEPTED');
        return created.walletId as string;
      }),
    );

    const plans = Array.from({ length: TRANSFERS }, (_, n) => {
      const from = random.between(0, WALLETS - 1);
      const scheduled = random.next() < 0.25;
      return {
        key: `t-${n}`,
        from,
        to: (from + random.between(1, WALLETS - 1)) % WALLETS,
        amount: `${random.between(1, 3_000) / 100}`,
        executeInMs: scheduled ? random.between(300, 1_500) : null,
        cancel: scheduled && random.next() < 0.3,
      };
    });
    const victims = Array.from({ length: KILLS }, () => random.between(0, slots.length - 1));

    const requested: Array<{ transferId: string; commandId: string }> = [];
    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = c; i < plans.length; i += CLIENTS) {
        const plan = plans[i]!;
        const token = tokens[plan.from]!;
        const executeAt = plan.executeInMs === null ? undefined : new Date(Date.now() + plan.executeInMs).toISOString();
        const input = { fromWalletId: wallets[plan.from], toWalletId: wallets[plan.to], asset: 'USD', amount: plan.amount, executeAt, idempotencyKey: plan.key };
        // A transfer to be cancelled must be visible to the api that cancels it.
        const answer = await mutate(token, TRANSFER, { input, consistency: plan.cancel ? 'PROJECTED' : 'DECIDED' }, 'transfer', i);
        if (answer.transferId) requested.push({ transferId: answer.transferId, commandId: answer.commandId });
        if (plan.cancel && answer.state === 'ACCEPTED') await mutate(token, CANCEL, { transferId: answer.transferId, key: `${plan.key}-cancel` }, 'cancelTransfer', i);
      }
    });
    let kills = 0;
    const killer = (async () => {
      const startSeq = (await journalExtent(reader.jsm)).last;
      for (const [k, victim] of victims.entries()) {
        // Spread over the stretch the transfers write (about three events each).
        const at = startSeq + Math.round(((k + 1) * TRANSFERS * 2.5) / (KILLS + 1));
        await waitFor(async () => (await journalExtent(reader.jsm)).last >= at, { timeoutMs: 120_000, intervalMs: 25, message: `journal seq ${at}` });
        const process = slots[victim]!;
        await process.kill();
        kills++;
        slots[victim] = await start(process.roles);
      }
    })();
    await Promise.all([...clients, killer]);
    expect(kills).toBe(KILLS);
    expect(new Set(victims.map((v) => ROLES[v])).size, 'roles killed').toBeGreaterThan(1);

    // At rest: nothing scheduled or in flight, every shard projected to the journal's end.
    const events = await waitFor(
      async () => {
        const journal = await readJournal(reader.js, reader.jsm);
        const { transfers } = auditJournal(journal);
        if (transfers.scheduled > 0 || transfers.inFlight > 0) return null;
        const verification = await runVerification({ nats: reader, client: mongo.client, db: mongo.db, atRest: true });
        return verification.problems.length === 0 ? journal : null;
      },
      { timeoutMs: 120_000, intervalMs: 1_000, message: 'the ledger to come to rest with read models equal to a replay' },
    );

    const audit = auditJournal(events, { atRest: true });
    expect(audit.violations).toEqual([]);
    // Every accepted transfer ended exactly once: completed, failed or cancelled.
    const endings = new Map<string, number>();
    for (const { event } of events) {
      if (['TransferCompleted', 'TransferFailed', 'TransferCancelled'].includes(event.type)) {
        const id = (event.data as { transferId: string }).transferId;
        endings.set(id, (endings.get(id) ?? 0) + 1);
      }
    }
    const accepted = new Set(events.filter((s) => s.event.type === 'TransferDebited' || s.event.type === 'TransferScheduled').map((s) => (s.event.data as { transferId: string }).transferId));
    expect(accepted.size).toBeGreaterThan(TRANSFERS * 0.7);
    for (const id of accepted) expect(endings.get(id), `endings of transfer ${id}`).toBe(1);
    expect([...endings.values()].every((n) => n === 1)).toBe(true);
    // Money per asset: what was deposited is held by the wallets, nothing more or less.
    const balances = await mongo.db.collection('balances').find({ asset: 'USD' }).toArray();
    const held = balances.reduce((sum, b) => addDecimal(sum, b['total'].toString()), '0');
    expect(held).toBe(String(WALLETS * Number(FUNDING)));
    expect(audit.assets.get('USD')).toMatchObject({ inFlight: '0' });
  });
});
