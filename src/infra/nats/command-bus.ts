import { type JetStreamClient, headers } from 'nats';
import type { CommandBus, CommandMessage } from '../../ports.js';
import { aggregateOf } from '../../app/routing.js';
import { NO_TRACING, type Tracing } from '../telemetry/tracing.js';
import { encodeJson } from './json.js';
import { commandSubject } from './topology.js';

/** Set on the first copy of a command id ever sent (see CommandBus.publish): its absence means "look for an earlier decision". */
export const FIRST_TIME_HEADER = 'Jetledger-First-Time';

/**
 * Commands go to `cmd.<kind>.<id>`; Nats-Msg-Id = commandId makes a quick repeat a no-op at the stream.
 * With tracing on, the `traceparent` header carries the mutation's trace to the processor.
 */
export function createNatsCommandBus(js: JetStreamClient, tracing: Tracing = NO_TRACING): CommandBus {
  return {
    async publish(command: CommandMessage, options = {}): Promise<void> {
      const h = headers();
      h.set('Command-Type', command.type);
      if (options.firstTime) h.set(FIRST_TIME_HEADER, 'true');
      const subject = commandSubject(aggregateOf(command));
      const publish = () => js.publish(subject, encodeJson(command), { msgID: command.metadata.commandId, headers: h });
      if (!tracing.enabled) return void (await publish());
      const attributes = { 'messaging.message.id': command.metadata.commandId, 'jetledger.command.type': command.type };
      await tracing.send(subject, h, { attributes }, publish);
    },
  };
}
