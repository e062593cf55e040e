/**
 * `jetledger dlq list` shows dead letters; `jetledger dlq replay <seq>|--all` hands them back once
 * their cause is fixed, then removes them from the DLQ.
 *
 * Replaying never writes into the journal: a dead command goes back to COMMANDS (the processor
 * dedupes by commandId, so a command that did take effect meanwhile has none again); a dead saga
 * step is re-run here against the journal event it failed on (every step is idempotent).
 */
import { parseArgs } from 'node:util';
import { type MsgHdrs, headers } from 'nats';
import { createCommandHandler } from '../app/command-handler.js';
import { createProcessor } from '../app/processor.js';
import { createTransferSaga } from '../app/transfer-saga.js';
import { ConfigError, loadConfig } from '../config.js';
import { type Nats, connectNats } from '../infra/nats/connection.js';
import { decodeJournalEvent } from '../infra/nats/event-codec.js';
import { createNatsJournal } from '../infra/nats/journal.js';
import { createNatsOutcomeStore } from '../infra/nats/outcome-store.js';
import { CONSUMERS, STREAMS } from '../infra/nats/topology.js';
import { systemClock, systemIds } from '../infra/system.js';
import { readTopology } from '../infra/nats/streams.js';
import { FIRST_TIME_HEADER } from '../infra/nats/command-bus.js';

export type DeadLetter = Readonly<{ seq: number; time: string; data: Uint8Array; headers: MsgHdrs }>;

export async function deadLetters(nats: Nats): Promise<DeadLetter[]> {
  const { state } = await nats.jsm.streams.info(STREAMS.dlq);
  const letters: DeadLetter[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    try {
      const msg = await nats.jsm.streams.getMessage(STREAMS.dlq, { seq });
      letters.push({ seq, time: msg.time.toISOString(), data: msg.data, headers: msg.header });
    } catch {
      // A gap: that letter was replayed and removed.
    }
  }
  return letters;
}

export async function replayDeadLetter(nats: Nats, letter: DeadLetter): Promise<string> {
  const origin = letter.headers.get('Dlq-Stream');
  const consumer = letter.headers.get('Dlq-Consumer');
  if (origin === STREAMS.commands) {
    const h = headers();
    // Not FIRST_TIME_HEADER: a dead letter was delivered before, so its processor must look for an earlier decision.
    for (const [key, values] of letter.headers) if (!key.startsWith('Dlq-') && key !== 'Nats-Msg-Id' && key !== FIRST_TIME_HEADER) for (const v of values) h.append(key, v);
    await nats.js.publish(letter.headers.get('Dlq-Subject'), letter.data, { headers: h, msgID: `dlq-replay:${letter.seq}` });
    return 'sent back to COMMANDS';
  }
  if (origin === STREAMS.journal && consumer === CONSUMERS.saga) {
    const outcomes = await createNatsOutcomeStore(nats.nc);
    try {
      const journal = createNatsJournal(nats.js, nats.jsm, await readTopology(nats.nc));
      const handler = await createCommandHandler({ journal, clock: systemClock, ids: systemIds });
      const saga = createTransferSaga({ processor: createProcessor({ handler, outcomes, journal }), clock: systemClock, ids: systemIds });
      await saga.handle({ seq: Number(letter.headers.get('Dlq-Sequence')), event: decodeJournalEvent(letter.data) });
      return 'saga step re-run';
    } finally {
      await outcomes.close();
    }
  }
  throw new Error(`no replay for dead letters of ${origin}/${consumer}`);
}

export async function dlqCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { all: { type: 'boolean', default: false } } });
  const [action, target] = positionals;
  if (action !== 'list' && action !== 'replay') throw new ConfigError('usage: jetledger dlq list | jetledger dlq replay <seq>|--all');
  const config = loadConfig();
  if (!config.NATS_URL) throw new ConfigError('jetledger dlq needs NATS_URL of the deployment');
  const nats = await connectNats(config.NATS_URL, 'jetledger-dlq');
  try {
    const letters = await deadLetters(nats);
    if (action === 'list') {
      if (letters.length === 0) console.log('the DLQ is empty');
      for (const l of letters) {
        const h = (k: string) => l.headers.get(k);
        console.log(`${l.seq}\t${l.time}\t${h('Dlq-Stream')}/${h('Dlq-Consumer')}\t${h('Dlq-Subject')}#${h('Dlq-Sequence')}\t${h('Dlq-Error')}`);
      }
      return 0;
    }
    const chosen = values.all ? letters : letters.filter((l) => String(l.seq) === target);
    if (chosen.length === 0) throw new ConfigError(values.all ? 'the DLQ is empty' : `no dead letter at DLQ sequence ${target ?? '(none given)'}`);
    let failed = 0;
    for (const letter of chosen) {
      try {
        console.log(`${letter.seq}: ${await replayDeadLetter(nats, letter)}`);
        await nats.jsm.streams.deleteMessage(STREAMS.dlq, letter.seq);
      } catch (error) {
        failed++;
        console.error(`${letter.seq}: not replayed: ${(error as Error).message}`);
      }
    }
    return failed === 0 ? 0 : 1;
  } finally {
    await nats.nc.close();
  }
}
