/**
 * The dependency rule of DESIGN.md, checked in CI (`npm run lint:deps`): dependencies point inward.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing outside src/domain: no project module, no library, no Node API.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'ports-speak-domain',
      comment: 'src/ports.ts describes what the app needs in domain terms only.',
      severity: 'error',
      from: { path: '^src/ports[.]ts$' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'app-depends-inward',
      comment: 'src/app imports only src/domain, src/ports.ts and src/app: adapters are injected, never imported.',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { pathNot: ['^src/domain/', '^src/app/', '^src/ports[.]ts$'] },
    },
    {
      name: 'graphql-no-infra',
      comment: 'src/graphql calls the app through its context and never touches NATS or MongoDB.',
      severity: 'error',
      from: { path: '^src/graphql/' },
      to: { path: ['^src/infra/', '(^|/)node_modules/(mongodb|mongodb-memory-server[^/]*|bson|nats)/'] },
    },
    {
      name: 'no-circular',
      comment: 'A cycle of runtime imports makes load order matter; type-only cycles are harmless.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
