/** The roles one JetLedger process can run; a module of its own, so naming them loads no adapter. */
export type Role = 'api' | 'processor' | 'projector' | 'scheduler';
export const ALL_ROLES: readonly Role[] = ['api', 'processor', 'projector', 'scheduler'];
