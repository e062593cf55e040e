/**
 * Tracing of NATS messages with the OpenTelemetry API, after the messaging semantic conventions:
 * `publish <subject template>` PRODUCER spans, `process <subject template>` CONSUMER spans,
 * `messaging.system = nats`, the whole subject in `messaging.destination.name`. Span names use the
 * subject's template (`cmd.wallet.{walletId}`): a name per wallet would make every trace view
 * and span metric as long as the list of wallets.
 *
 * Loaded only when tracing is on (see start.ts).
 */
import {
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanContext,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  context,
  isSpanContextValid,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { MsgHdrs } from 'nats';
import type { SpanAttributes, Tracing } from './tracing.js';

const TRACEPARENT = 'traceparent';

const setter: TextMapSetter<MsgHdrs> = { set: (headers, key, value) => headers.set(key, value) };
const getter: TextMapGetter<MsgHdrs> = { get: (headers, key) => headers.get(key) || undefined, keys: (headers) => headers.keys() };

/** The low-cardinality name of a subject: its ids replaced by what they stand for. */
export function subjectTemplate(subject: string): string {
  const [root, kind, ...rest] = subject.split('.');
  const id = kind === 'asset' ? '{code}' : kind === 'transfer' ? '{transferId}' : '{walletId}';
  if (root === 'cmd' || root === 'live') return `${root}.${kind}.${id}`;
  if (root === 'evt') return kind === 'wallet' && rest.length === 2 ? `evt.wallet.{shard}.${id}` : `evt.${kind}.${id}`;
  return subject;
}

const messaging = (subject: string, operation: 'send' | 'process', name: string): SpanAttributes => ({
  'messaging.system': 'nats',
  'messaging.destination.name': subject,
  'messaging.destination.template': subjectTemplate(subject),
  'messaging.operation.type': operation,
  'messaging.operation.name': name,
});

/** A span context from a bare traceparent (the form StoredEvent.trace and LiveNotification.trace keep). */
function remote(traceparent: string | undefined): SpanContext | undefined {
  if (!traceparent) return undefined;
  const extracted = propagation.extract(ROOT_CONTEXT, { [TRACEPARENT]: traceparent });
  const spanContext = trace.getSpanContext(extracted);
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

const clean = (attributes: SpanAttributes): Record<string, string | number | boolean> =>
  Object.fromEntries(Object.entries(attributes).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined));

/** Ends `span` when `work` settles, marking it failed with the error if it throws. */
async function ending<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    throw error;
  } finally {
    span.end();
  }
}

export function createOtelTracing(tracerName = 'jetledger'): Tracing {
  const tracer = trace.getTracer(tracerName);

  const runIn = <T>(parent: Context, name: string, kind: SpanKind, attributes: SpanAttributes, links: Link[], work: (span: Span, ctx: Context) => Promise<T>) => {
    const span = tracer.startSpan(name, { kind, attributes: clean(attributes), links }, parent);
    const ctx = trace.setSpan(parent, span);
    return context.with(ctx, () => ending(span, () => work(span, ctx)));
  };

  return {
    enabled: true,

    contextOf: (headers) => headers?.get(TRACEPARENT) || undefined,

    send(subject, headers, options, publish) {
      const active = context.active();
      const activeSpan = trace.getSpanContext(active);
      const event = remote(options.parent);
      // The event's own trace wins; the batch span that carries it here is then a link.
      const foreign = event !== undefined && event.traceId !== activeSpan?.traceId;
      const parent = foreign ? trace.setSpanContext(active, event) : active;
      const links = foreign && activeSpan && isSpanContextValid(activeSpan) ? [{ context: activeSpan }] : [];
      const attributes = { ...messaging(subject, 'send', 'publish'), ...options.attributes };
      return runIn(parent, `publish ${subjectTemplate(subject)}`, SpanKind.PRODUCER, attributes, links, (_span, ctx) => {
        propagation.inject(ctx, headers, setter);
        return publish();
      });
    },

    process(subject, headers, consumer, handle) {
      const parent = headers ? propagation.extract(ROOT_CONTEXT, headers, getter) : ROOT_CONTEXT;
      const attributes = { ...messaging(subject, 'process', 'process'), 'messaging.consumer.group.name': consumer, 'messaging.message.id': headers?.get('Nats-Msg-Id') || undefined };
      return runIn(parent, `process ${subjectTemplate(subject)}`, SpanKind.CONSUMER, attributes, [], () => handle());
    },

    processBatch(destination, consumer, contexts, attributes, handle) {
      const messages = contexts.map(remote).filter((c): c is SpanContext => c !== undefined);
      const first = messages[0];
      const oneTrace = first !== undefined && messages.every((c) => c.traceId === first.traceId);
      const parent = oneTrace ? trace.setSpanContext(ROOT_CONTEXT, first) : ROOT_CONTEXT;
      const links = (oneTrace ? messages.slice(1) : messages).map((c) => ({ context: c }));
      const all = {
        ...messaging(destination, 'process', 'process'),
        'messaging.consumer.group.name': consumer,
        'messaging.batch.message_count': contexts.length,
        ...attributes,
      };
      return runIn(parent, `process ${destination}`, SpanKind.CONSUMER, all, links, () => handle());
    },

    internal(name, attributes, work) {
      return runIn(context.active(), name, SpanKind.INTERNAL, attributes, [], (span) =>
        work({ setAttributes: (more) => span.setAttributes(clean(more)) }),
      );
    },
  };
}

/** What pino adds to a line written inside a span: the ids a log search and a trace view share. */
export function activeTraceIds(): Record<string, string> {
  const spanContext = trace.getSpanContext(context.active());
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId, trace_flags: `0${spanContext.traceFlags.toString(16)}`.slice(-2) };
}
