import { type JetStreamClient, headers } from 'nats';
import type { CommandBus, CommandMessage } from '../../ports.js';
import { aggregateOf } from '../../app/routing.js';
import { encodeJson } from './json.js';
import { commandSubject } from './topology.js';

/** Commands go to `cmd.<kind>.<id>`; Nats-Msg-Id = commandId makes a quick repeat a no-op at the stream. */
export function createNatsCommandBus(js: JetStreamClient): CommandBus {
  return {
    async publish(command: CommandMessage): Promise<void> {
      const h = headers();
      h.set('Command-Type', command.type);
      await js.publish(commandSubject(aggregateOf(command)), encodeJson(command), { msgID: command.metadata.commandId, headers: h });
    },
  };
}
