/**
 * The roles of one JetLedger process, each a small composition of app services over adapters.
 * Roles share nothing but the NATS connection and MongoDB client: they talk only through NATS.
 */
import type { Db } from 'mongodb';
import { createCommandHandler } from './app/command-handler.js';
import { registerDefaultCatalog } from './app/default-catalog.js';
import type { LedgerApp } from './app/ledger-app.js';
import { createLedgerService } from './app/ledger-service.js';
import { type Processor, createProcessor } from './app/processor.js';
import { startProjectionCoordinator } from './app/projection-coordinator.js';
import { repeat } from './app/repeat.js';
import { createScheduler } from './app/scheduler.js';
import { type JournalTopology, allShards, walletShard } from './app/sharding.js';
import { startShardWorker } from './app/shard-worker.js';
import { createTransferSaga } from './app/transfer-saga.js';
import { FIRST_TIME_HEADER, createNatsCommandBus } from './infra/nats/command-bus.js';
import { PoisonMessageError, decodeCommand } from './infra/nats/command-codec.js';
import type { Nats } from './infra/nats/connection.js';
import { type RunningConsumer, runDurable, settle } from './infra/nats/durable-consumer.js';
import { MalformedEventError, decodeJournalEvent } from './infra/nats/event-codec.js';
import { createNatsJournal } from './infra/nats/journal.js';
import { createNatsJournalFeed } from './infra/nats/journal-feed.js';
import { jetStreamProbe } from './infra/nats/jetstream-probe.js';
import { createNatsLeaseStore } from './infra/nats/leases.js';
import { createNatsLiveBus } from './infra/nats/live-bus.js';
import { createNatsOutcomeStore } from './infra/nats/outcome-store.js';
import type { Topology } from './infra/nats/streams.js';
import { CONSUMERS, STREAMS, WALLET_EVENTS } from './infra/nats/topology.js';
import { createMongoProjectionStore } from './infra/mongo/projection-store.js';
import { createMongoReadStore } from './infra/mongo/read-store.js';
import { failpoint } from './infra/failpoints.js';
import { currentInstance, isCertainlyGone } from './infra/process-identity.js';
import { systemClock, systemIds } from './infra/system.js';
import { NO_TRACING, type Tracing } from './infra/telemetry/tracing.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Clock, CommandMessage, CommandOutcome, Ids, Journal } from './ports.js';

export { ALL_ROLES, type Role } from './role-names.js';

export type RoleDeps = Readonly<{
  nats: Nats;
  /** What ensureStreams recorded (or found) for this journal: every role reads the same. */
  topology: Topology;
  db: Db | null;
  log: Logger;
  metrics?: Metrics;
  /** Spans and trace headers on NATS messages (NO_TRACING unless OTEL_* variables ask for traces). */
  tracing?: Tracing;
  clock?: Clock;
  ids?: Ids;
  tuning?: Tuning;
}>;

/** Knobs tests turn to make crash recovery fast; production keeps the defaults. */
export type Tuning = Readonly<{ ackWaitMs?: number; schedulerIntervalMs?: number; maxDeliver?: number; leasePollMs?: number }>;

export type Stoppable = { stop(): Promise<void> };

const isPoison = (error: unknown) => error instanceof PoisonMessageError || error instanceof MalformedEventError;

/**
 * Each decision as metrics see it: counted, and timed from the command's issuedAt, which the api
 * stamps as it sends the mutation's command (so the time includes the wait in COMMANDS; the saga's
 * and the scheduler's steps are timed from when they were sent). The clocks of the api and the
 * processor must agree (NTP); a negative difference counts as 0.
 */
const observeDecision = (metrics: Metrics, clock: Clock) => (command: CommandMessage, outcome: CommandOutcome) => {
  metrics.commands.inc({ type: command.type, state: outcome.state });
  const seconds = Math.max(0, clock.now().getTime() - Date.parse(command.metadata.issuedAt)) / 1000;
  if (Number.isFinite(seconds)) metrics.commandDuration.observe({ type: command.type, outcome: outcome.state }, seconds);
};

/** Every decision in a span of its own (`decide Deposit`), inside the span of the message or saga step that asked for it. */
function tracedDecisions(decide: Processor, tracing: Tracing): Processor {
  if (!tracing.enabled) return decide;
  return {
    process: (command, options) =>
      tracing.internal(`decide ${command.type}`, { 'jetledger.command.id': command.metadata.commandId, 'jetledger.command.type': command.type }, async (span) => {
        const outcome = await decide.process(command, options);
        span.setAttributes({ 'jetledger.command.outcome': outcome.state, 'jetledger.rejection.code': outcome.code });
        return outcome;
      }),
  };
}

/** Processor + transfer saga: decides commands, drives transfers, registers the default catalog. */
export async function startProcessorRole({ nats, topology, log, metrics, tracing = NO_TRACING, clock = systemClock, ids = systemIds, tuning = {} }: RoleDeps): Promise<Stoppable> {
  const journal = createNatsJournal(nats.js, nats.jsm, topology, tracing);
  const outcomes = await createNatsOutcomeStore(nats.nc);
  const handler = await createCommandHandler({ journal, clock, ids });
  const processor = tracedDecisions(createProcessor({ handler, outcomes, journal, onDecided: metrics && observeDecision(metrics, clock) }), tracing);
  const saga = createTransferSaga({
    processor,
    ids,
    clock,
    onAnomaly: (anomaly) => {
      log.error({ anomaly }, `transfer saga anomaly (${anomaly.kind}): ${anomaly.detail}`);
      metrics?.sagaAnomalies.inc({ kind: anomaly.kind });
    },
  });
  const maxDeliver = tuning.maxDeliver ?? 10;

  await registerDefaultCatalog({ processor, catalog: handler.catalog, ids, clock });

  const consumers: RunningConsumer[] = [
    await runDurable(
      nats.js,
      nats.jsm,
      { stream: STREAMS.commands, durable: CONSUMERS.processor, description: 'Processor: decides commands and appends events', ackWaitMs: tuning.ackWaitMs },
      {
        concurrency: 64,
        tracing,
        handle: (msg) =>
          settle(
            nats.js,
            msg,
            CONSUMERS.processor,
            // Sent once and delivered once: no decision can exist for it yet (see CommandBus.publish).
            async () => void (await processor.process(decodeCommand(msg.data), { firstCopy: !msg.redelivered && msg.headers?.get(FIRST_TIME_HEADER) === 'true' })),
            { isPoison, maxDeliver, log, ackWaitMs: tuning.ackWaitMs, onDeadLetter: () => metrics?.deadLetters.inc({ consumer: CONSUMERS.processor }) },
          ),
      },
      log,
    ),
    await runDurable(
      nats.js,
      nats.jsm,
      {
        stream: STREAMS.journal,
        durable: CONSUMERS.saga,
        description: 'Transfer saga: credits destinations and completes or refunds transfers',
        filterSubject: WALLET_EVENTS,
        ackWaitMs: tuning.ackWaitMs,
      },
      {
        concurrency: 32,
        tracing,
        handle: (msg) =>
          settle(nats.js, msg, CONSUMERS.saga, () => saga.handle({ seq: msg.seq, event: decodeJournalEvent(msg.data) }), {
            isPoison,
            maxDeliver,
            log,
            ackWaitMs: tuning.ackWaitMs,
            onDeadLetter: () => metrics?.deadLetters.inc({ consumer: CONSUMERS.saga }),
          }),
      },
      log,
    ),
  ];

  // Their backlog and the dead letters they left, as of each scrape.
  const watched = [
    { stream: STREAMS.commands, consumer: CONSUMERS.processor },
    { stream: STREAMS.journal, consumer: CONSUMERS.saga },
  ];
  const unwatch = metrics?.beforeScrape(jetStreamProbe(nats.jsm, watched, metrics.jetstream, log));

  return {
    async stop() {
      unwatch?.();
      for (const c of consumers) await c.stop();
      await outcomes.close();
    },
  };
}

/**
 * Projector: journal → MongoDB read models → live notifications, one worker per shard this
 * instance holds a lease on. Run as many as you like: they share the shards.
 */
export async function startProjectorRole({ nats, topology, db, log, metrics, tracing = NO_TRACING, tuning = {} }: RoleDeps): Promise<Stoppable> {
  if (!db) throw new Error('the projector needs MongoDB');
  const shards = allShards(topology);
  const store = await createMongoProjectionStore(db, topology);
  const read = await createMongoReadStore(db, topology);
  const live = createNatsLiveBus(nats.nc, tracing);
  const feed = createNatsJournalFeed(nats.js, tracing);
  const leases = await createNatsLeaseStore(nats.nc, shards);
  const me = currentInstance();
  const projection = metrics?.projection;
  const coordinator = startProjectionCoordinator({
    leases,
    shards,
    me,
    isGone: (holder) => isCertainlyGone(holder, me),
    log: log.child({ projector: me.owner }),
    pollMs: tuning.leasePollMs,
    startWorker: (shard, checkLease) =>
      startShardWorker(shard, {
        store,
        read,
        live,
        feed,
        checkLease,
        failpoint,
        shardOfWallet: (walletId) => walletShard(walletId, topology),
        log,
        onProgress: (_, projected, pending, checkpoint) => {
          projection?.events.inc({ shard }, projected);
          projection?.lag.set({ shard }, pending);
          projection?.checkpoint.set({ shard }, checkpoint);
        },
      }),
    onOwnedChange: (owned) => projection?.owned(owned),
  });
  log.info({ projector: me.owner, shards: shards.length, leaseTtlMs: leases.ttlMs }, 'projector started');
  return { stop: () => coordinator.stop() };
}

/** Scheduler: sends due scheduled transfers to the processor. */
export async function startSchedulerRole({ nats, topology, db, log, tracing = NO_TRACING, clock = systemClock, ids = systemIds, tuning = {} }: RoleDeps): Promise<Stoppable> {
  if (!db) throw new Error('the scheduler needs MongoDB');
  const scheduler = createScheduler({ read: await createMongoReadStore(db, topology), bus: createNatsCommandBus(nats.js, tracing), clock, ids });
  const ticks = repeat(() => scheduler.tick(), tuning.schedulerIntervalMs ?? 200, (error) => log.error({ err: error }, 'scheduler tick failed'));
  return { stop: () => ticks.stop() };
}

/** The journal as readers see it (time travel, operator commands): the same subjects the processor appends to. */
export const readerJournal = (nats: Nats, topology: JournalTopology): Journal => createNatsJournal(nats.js, nats.jsm, topology);

/** The app behind the API role. */
export async function createApiApp({ nats, topology, db, tracing = NO_TRACING, clock = systemClock, ids = systemIds }: RoleDeps): Promise<LedgerApp & Stoppable> {
  if (!db) throw new Error('the api needs MongoDB');
  const outcomes = await createNatsOutcomeStore(nats.nc);
  const app = createLedgerService({
    bus: createNatsCommandBus(nats.js, tracing),
    outcomes,
    read: await createMongoReadStore(db, topology),
    live: createNatsLiveBus(nats.nc, tracing),
    journal: readerJournal(nats, topology),
    topology,
    clock,
    ids,
  });
  return { ...app, stop: () => outcomes.close() };
}
