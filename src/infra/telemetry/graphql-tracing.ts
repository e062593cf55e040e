/**
 * GraphQL spans: the envelop OpenTelemetry plugin (one span per operation, inside the HTTP span
 * that @opentelemetry/instrumentation-http opens, so a client's own `traceparent` continues), made
 * to speak the semantic conventions (`mutation Deposit`, `graphql.operation.name`,
 * `graphql.operation.type`), and the span of each subscription event's delivery.
 *
 * Loaded only when tracing is on (see start.ts).
 */
import { getCurrentOtelContext, useOpenTelemetry } from '@envelop/opentelemetry';
import { ROOT_CONTEXT, SpanKind, propagation, trace } from '@opentelemetry/api';
import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { TraceDelivery } from '../../graphql/context.js';

/** Renames the envelop plugin's span and adds the conventions' attributes; must come after it. */
function useGraphQLConventions(): Plugin {
  const describe = ({ document, operationName, contextValue }: { document: DocumentNode; operationName?: string | null | undefined; contextValue: unknown }): void => {
    const operation = getOperationAST(document, operationName);
    const span = trace.getSpan(getCurrentOtelContext(contextValue));
    if (!operation || !span) return;
    const name = operation.name?.value;
    span.updateName(name ? `${operation.operation} ${name}` : operation.operation);
    span.setAttributes({ 'graphql.operation.type': operation.operation, ...(name ? { 'graphql.operation.name': name } : {}) });
  };
  return {
    onExecute: ({ args }) => describe(args),
    onSubscribe: ({ args }) => describe(args),
  };
}

export function graphqlTracingPlugins(): Plugin[] {
  return [
    // Variables and results stay out of spans: they hold amounts, wallet ids and names.
    useOpenTelemetry({ resolvers: false, variables: false, result: false }, trace.getTracerProvider(), SpanKind.INTERNAL, {}, 'jetledger-graphql') as Plugin,
    useGraphQLConventions(),
  ];
}

/**
 * One event of a subscription, from the moment its stream takes it until the client asks for the
 * next (graphql-ws and SSE pull the next event once this one is sent): a child of the live
 * notification's trace, linked to the long-lived subscription span it belongs to.
 */
export function traceDelivery(): TraceDelivery {
  const tracer = trace.getTracer('jetledger-graphql');
  return (field, traceparent, graphqlContext) => {
    const parent = propagation.extract(ROOT_CONTEXT, { traceparent });
    const subscription = trace.getSpanContext(getCurrentOtelContext(graphqlContext));
    const span = tracer.startSpan(
      `deliver ${field}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: { 'graphql.operation.type': 'subscription', 'jetledger.subscription.field': field },
        links: subscription ? [{ context: subscription }] : [],
      },
      parent,
    );
    return { end: () => span.end() };
  };
}
