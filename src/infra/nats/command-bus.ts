import { type JetStreamClient, headers } from 'nats';
import type { CommandBus, CommandMessage } from '../../ports.js';
import { aggregateOf } from '../../app/routing.js';
import { NO_TRACING, type Tracing } from '../telemetry/tracing.js';
import { encodeJson } from './json.js';
import { commandSubject } from './topology.js';

/**
 * Commands go to `cmd.<kind>.<id>`; Nats-Msg-Id = commandId makes a quick repeat a no-op at the stream.
 * With tracing on, the `traceparent` header carries the mutation's trace to the processor.
 */
export function createNatsCommandBus(js: JetStreamClient, tracing: Tracing = NO_TRACING): CommandBus {
  return {
    async publish(command: CommandMessage): Promise<void> {
      const h = headers();
      h.set('Command-Type', command.type);
      const subject = commandSubject(aggregateOf(command));
      const publish = () => js.publish(subject, encodeJson(command), { msgID: command.metadata.commandId, headers: h });
      if (!tracing.enabled) return void (await publish());
      const attributes = { 'messaging.message.id': command.metadata.commandId, 'jetledger.command.type': command.type };
      await tracing.send(subject, h, { attributes }, publish);
    },
  };
}
