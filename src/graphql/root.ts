import { builder } from './builder.js';

// Everything needs a login, except what a field opts out of (`assets`) and introspection,
// which is no Pothos field and so never reaches these checks.
builder.queryType({ authScopes: { loggedIn: true } });
builder.mutationType({ authScopes: { loggedIn: true } });
builder.subscriptionType({ authScopes: { loggedIn: true } });
