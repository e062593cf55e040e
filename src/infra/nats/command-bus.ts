import { type JetStreamClient, headers } from 'nats';
import type { CommandBus, CommandMessage } from '../../ports.js';
import { aggregateOf } from '../../app/routing.js';
import { encodeJson } from './json.js';
import { commandSubject } from './topology.js';

/** Set on the first copy of a command id ever sent (see CommandBus.publish): its absence means "look for an earlier decision". */
export const FIRST_TIME_HEADER = 'Jetledger-First-Time';

/** Commands go to `cmd.<kind>.<id>`; Nats-Msg-Id = commandId makes a quick repeat a no-op at the stream. */
export function createNatsCommandBus(js: JetStreamClient): CommandBus {
  return {
    async publish(command: CommandMessage, options = {}): Promise<void> {
      const h = headers();
      h.set('Command-Type', command.type);
      if (options.firstTime) h.set(FIRST_TIME_HEADER, 'true');
      await js.publish(commandSubject(aggregateOf(command)), encodeJson(command), { msgID: command.metadata.commandId, headers: h });
    },
  };
}
