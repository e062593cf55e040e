/**
 * What the NATS adapters and the roles ask of tracing. NATS has no OpenTelemetry instrumentation
 * for JavaScript, so these spans are ours; everything else (HTTP, MongoDB, GraphQL) comes from the
 * ecosystem's instrumentations (see sdk.ts).
 *
 * A trace context travels as the W3C `traceparent` header of the message (COMMANDS, JOURNAL and
 * live notifications alike), and inside the app as an opaque string (StoredEvent.trace,
 * LiveNotification.trace) that only this module reads.
 *
 * NO_TRACING, used when no OTEL_* variable asks for traces, touches no header and loads no
 * OpenTelemetry module: `enabled` lets a hot path skip even building what a span would describe.
 */
import type { MsgHdrs } from 'nats';

export type SpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

export type SpanHandle = { setAttributes(attributes: SpanAttributes): void };

export type Tracing = Readonly<{
  enabled: boolean;
  /** The `traceparent` a message carries (undefined when tracing is off, or it carries none). */
  contextOf(headers: MsgHdrs | undefined): string | undefined;
  /**
   * Runs `publish` in a PRODUCER span for `subject` and writes the span's context into `headers`.
   * Its parent is the active span, or `options.parent` (a traceparent) when that belongs to another
   * trace: a live notification follows its event's trace, linked to the batch that projected it.
   */
  send<T>(subject: string, headers: MsgHdrs, options: Readonly<{ attributes?: SpanAttributes; parent?: string | undefined }>, publish: () => Promise<T>): Promise<T>;
  /** Runs `handle` in a CONSUMER span, child of the context in `headers`: one message from a durable consumer. */
  process<T>(subject: string, headers: MsgHdrs | undefined, consumer: string, handle: () => Promise<T>): Promise<T>;
  /**
   * Runs `handle` in one span for a batch of messages (the projector's), linked to each message's
   * context; its parent is theirs when they all belong to one trace (a batch of one, typically).
   */
  processBatch<T>(destination: string, consumer: string, contexts: ReadonlyArray<string | undefined>, attributes: SpanAttributes, handle: () => Promise<T>): Promise<T>;
  /** Runs `work` in an INTERNAL span (a decision), which may add attributes once it knows the outcome. */
  internal<T>(name: string, attributes: SpanAttributes, work: (span: SpanHandle) => Promise<T>): Promise<T>;
}>;

const NO_SPAN: SpanHandle = { setAttributes: () => undefined };

export const NO_TRACING: Tracing = {
  enabled: false,
  contextOf: () => undefined,
  send: (_subject, _headers, _options, publish) => publish(),
  process: (_subject, _headers, _consumer, handle) => handle(),
  processBatch: (_destination, _consumer, _contexts, _attributes, handle) => handle(),
  internal: (_name, _attributes, work) => work(NO_SPAN),
};
