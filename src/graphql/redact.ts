/**
 * Error messages never carry request content back. graphql-js quotes the offending value in
 * many of its messages (a 1 MB string variable came back as a 1 MB error); these functions keep
 * what names the problem (types, fields, the rule broken) and drop what the client sent.
 */

const MAX_MESSAGE = 300;
const MAX_QUOTED = 64;

/** The reason graphql-js gives for one bad input value, without the value. */
export function redactReason(message: string): string {
  const safe = [
    /^Expected type "\w+" to be an object\.$/,
    /^Field "\w+" of required type "[\w![\]]+" was not provided\.$/,
    /^Field "\w+\.\w+" of required type "[\w![\]]+" was not provided\.$/,
    /^Expected non-nullable type "[\w![\]]+" not to be null\.$/,
    /^Exactly one key must be specified for OneOf type "\w+"\.$/,
    /^OneOf Input Object "\w+" must specify exactly one key\.$/,
    /^Field "[\w.]+" must be non-null\.$/,
  ];
  if (safe.some((pattern) => pattern.test(message))) return message;
  const rules: Array<[RegExp, (m: RegExpExecArray) => string]> = [
    [/^Field "[\s\S]*" is not defined by type "(\w+)"\./, (m) => `an input field is not defined by type "${m[1]}"`],
    [/^((?:Enum "\w+")|\w+) cannot represent ([^:]{0,80})/, (m) => `${m[1]} cannot represent ${m[2]!.trim()}`],
    [/^Value "[\s\S]*" does not exist in "(\w+)" enum\./, (m) => `not a value of enum "${m[1]}"`],
    [/^Expected value of type "([\w![\]]+)", found /, (m) => `expected a value of type "${m[1]}"`],
    [/^Expected type "(\w+)"\./, (m) => `expected a value of type "${m[1]}"`],
  ];
  for (const [pattern, rewrite] of rules) {
    const match = pattern.exec(message);
    if (match) return rewrite(match);
  }
  return 'invalid value';
}

/** Last line of defence for every message: long quoted text (only clients write that) and length. */
export function redactMessage(message: string): string {
  const unquoted = message.replace(/"((?:[^"\\]|\\.)*)"/g, (quoted, inner: string) => (inner.length > MAX_QUOTED ? '"…"' : quoted));
  return unquoted.length > MAX_MESSAGE ? `${unquoted.slice(0, MAX_MESSAGE)}…` : unquoted;
}
