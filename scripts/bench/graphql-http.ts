/**
 * A lean GraphQL-over-HTTP client: node:http with keep-alive sockets, so the bench spends as
 * little of the shared CPU as it can on its own side of the wire.
 */
import { Agent, request } from 'node:http';

export type GraphQLHttp = Readonly<{
  post<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): void;
}>;

const TIMEOUT_MS = 30_000;

export function graphqlHttp(url: string, token: string): GraphQLHttp {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error(`the bench only talks to loopback, not ${target.hostname}`);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const post = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const body = JSON.stringify({ query, variables });
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            authorization: `Bearer ${token}`,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: T; errors?: Array<{ message: string }> };
              if (json.errors?.length || json.data === undefined) {
                reject(new Error(`HTTP ${res.statusCode}: ${json.errors?.map((e) => e.message).join('; ') ?? 'no data'}`));
              } else {
                resolve(json.data);
              }
            } catch (error) {
              reject(new Error(`HTTP ${res.statusCode}: unreadable answer`, { cause: error }));
            }
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  };
  return { post, close: () => agent.destroy() };
}
