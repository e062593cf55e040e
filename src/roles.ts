/**
 * The roles of one JetLedger process, each a small composition of app services over adapters.
 * Roles share nothing but the NATS connection and MongoDB client: they talk only through NATS.
 */
import type { Db } from 'mongodb';
import { createCommandHandler } from './app/command-handler.js';
import { registerDefaultCatalog } from './app/default-catalog.js';
import type { LedgerApp } from './app/ledger-app.js';
import { createLedgerService } from './app/ledger-service.js';
import { createProcessor } from './app/processor.js';
import { createProjector } from './app/projector.js';
import { createScheduler } from './app/scheduler.js';
import { createTransferSaga } from './app/transfer-saga.js';
import { createNatsCommandBus } from './infra/nats/command-bus.js';
import { PoisonMessageError, decodeCommand } from './infra/nats/command-codec.js';
import type { Nats } from './infra/nats/connection.js';
import { type RunningConsumer, runDurable, settle } from './infra/nats/durable-consumer.js';
import { MalformedEventError, decodeJournalEvent } from './infra/nats/event-codec.js';
import { createNatsJournal } from './infra/nats/journal.js';
import { createNatsLiveBus } from './infra/nats/live-bus.js';
import { createNatsOutcomeStore } from './infra/nats/outcome-store.js';
import { CONSUMERS, STREAMS } from './infra/nats/topology.js';
import { createMongoReadStore } from './infra/mongo/read-store.js';
import { systemClock, systemIds } from './infra/system.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Clock, Ids, Journal } from './ports.js';

export type Role = 'api' | 'processor' | 'projector' | 'scheduler';
export const ALL_ROLES: readonly Role[] = ['api', 'processor', 'projector', 'scheduler'];

export type RoleDeps = Readonly<{ nats: Nats; db: Db | null; log: Logger; metrics?: Metrics; clock?: Clock; ids?: Ids; tuning?: Tuning }>;

/** Knobs tests turn to make crash recovery fast; production keeps the defaults. */
export type Tuning = Readonly<{ ackWaitMs?: number; schedulerIntervalMs?: number; maxDeliver?: number }>;

export type Stoppable = { stop(): Promise<void> };

const isPoison = (error: unknown) => error instanceof PoisonMessageError || error instanceof MalformedEventError;

/** Processor + transfer saga: decides commands, drives transfers, registers the default catalog. */
export async function startProcessorRole({ nats, log, metrics, clock = systemClock, ids = systemIds, tuning = {} }: RoleDeps): Promise<Stoppable> {
  const journal = createNatsJournal(nats.js, nats.jsm);
  const outcomes = await createNatsOutcomeStore(nats.nc);
  const handler = await createCommandHandler({ journal, clock, ids });
  const decide = createProcessor({ handler, outcomes });
  const processor: typeof decide = {
    async process(command) {
      const outcome = await decide.process(command);
      metrics?.commands.inc({ type: command.type, state: outcome.state });
      return outcome;
    },
  };
  const saga = createTransferSaga({ processor, ids, clock });
  const maxDeliver = tuning.maxDeliver ?? 10;

  await registerDefaultCatalog({ processor, catalog: handler.catalog, ids, clock });

  const consumers: RunningConsumer[] = [
    await runDurable(
      nats.js,
      nats.jsm,
      { stream: STREAMS.commands, durable: CONSUMERS.processor, description: 'Processor: decides commands and appends events', ackWaitMs: tuning.ackWaitMs },
      {
        kind: 'each',
        concurrency: 64,
        handle: (msg) =>
          settle(nats.js, msg, CONSUMERS.processor, async () => void (await processor.process(decodeCommand(msg.data))), { isPoison, maxDeliver, log, onDeadLetter: () => metrics?.deadLetters.inc({ consumer: CONSUMERS.processor }) }),
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
        filterSubject: 'evt.wallet.*',
        ackWaitMs: tuning.ackWaitMs,
      },
      {
        kind: 'each',
        concurrency: 32,
        handle: (msg) =>
          settle(nats.js, msg, CONSUMERS.saga, () => saga.handle({ seq: msg.seq, event: decodeJournalEvent(msg.data) }), {
            isPoison,
            maxDeliver,
            log,
            onDeadLetter: () => metrics?.deadLetters.inc({ consumer: CONSUMERS.saga }),
          }),
      },
      log,
    ),
  ];

  return {
    async stop() {
      for (const c of consumers) await c.stop();
      await outcomes.close();
    },
  };
}

/** Projector: journal → MongoDB read models → live notifications. */
export async function startProjectorRole({ nats, db, log, metrics, tuning = {} }: RoleDeps): Promise<Stoppable> {
  if (!db) throw new Error('the projector needs MongoDB');
  const store = await createMongoReadStore(db);
  const projector = createProjector({ store, live: createNatsLiveBus(nats.nc) });
  // The checkpoint lives with the data: an empty database rebuilds from sequence 1, whatever the consumer's position.
  const checkpoint = await projector.checkpoint();
  const consumer = await runDurable(
    nats.js,
    nats.jsm,
    {
      stream: STREAMS.journal,
      durable: CONSUMERS.projector,
      description: 'Projector: materialises MongoDB read models from the journal',
      startSeq: checkpoint + 1,
      ackWaitMs: tuning.ackWaitMs ?? 60_000,
      batch: 256,
    },
    {
      kind: 'batch',
      handle: async (messages) => {
        // Retry the same batch in place (keeping its messages ours) rather than nak it: a nak'd batch
        // comes back after later ones, and the projector refuses to apply past a gap.
        for (let attempt = 1; ; attempt++) {
          try {
            await projector.project(messages.map((m) => ({ seq: m.seq, event: decodeJournalEvent(m.data) })));
            break;
          } catch (error) {
            if (attempt >= 20) {
              log.error({ err: error }, 'projection keeps failing; the batch returns after its ack wait');
              for (const m of messages) m.nak(1_000);
              return;
            }
            log.warn({ err: error, attempt }, 'projection failed; retrying');
            for (const m of messages) m.working();
            await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
          }
        }
        try {
          for (const m of messages) m.ack();
          metrics?.projectedEvents.inc(messages.length);
          metrics?.checkpoint.set(messages[messages.length - 1]!.seq);
        } catch (error) {
          // Never skip an event: the batch comes back (from the checkpoint on) after a pause.
          log.error({ err: error }, 'projection failed; retrying');
          for (const m of messages) m.nak(1_000);
        }
      },
    },
    log,
  );
  return consumer;
}

/** Scheduler: sends due scheduled transfers to the processor. */
export async function startSchedulerRole({ nats, db, log, clock = systemClock, ids = systemIds, tuning = {} }: RoleDeps): Promise<Stoppable> {
  if (!db) throw new Error('the scheduler needs MongoDB');
  const scheduler = createScheduler({ read: await createMongoReadStore(db), bus: createNatsCommandBus(nats.js), clock, ids });
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => scheduler.tick()).catch((error) => log.error({ err: error }, 'scheduler tick failed'));
  }, tuning.schedulerIntervalMs ?? 200);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** The journal as the api and `jetledger wallet` read it (time travel): built in this one place. */
export const readerJournal = (nats: Nats): Journal => createNatsJournal(nats.js, nats.jsm);

/** The app behind the API role. */
export async function createApiApp({ nats, db, clock = systemClock, ids = systemIds }: RoleDeps): Promise<LedgerApp & Stoppable> {
  if (!db) throw new Error('the api needs MongoDB');
  const outcomes = await createNatsOutcomeStore(nats.nc);
  const app = createLedgerService({
    bus: createNatsCommandBus(nats.js),
    outcomes,
    read: await createMongoReadStore(db),
    live: createNatsLiveBus(nats.nc),
    journal: readerJournal(nats),
    clock,
    ids,
  });
  return { ...app, stop: () => outcomes.close() };
}
