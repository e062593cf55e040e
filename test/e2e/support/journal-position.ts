/** The journal's last sequence, read from the stack's NATS: "nothing changed" means it did not move. */
import { connectNats } from '../../../src/infra/nats/connection.js';
import { STREAMS } from '../../../src/infra/nats/topology.js';

export async function journalWatcher(natsUrl: string) {
  const nats = await connectNats(natsUrl, 'jetledger-e2e-journal-watcher');
  return {
    lastSeq: async (): Promise<number> => (await nats.jsm.streams.info(STREAMS.journal)).state.last_seq,
    close: () => nats.nc.close(),
  };
}
