import { builder } from './builder.js';
import './scalars.js';
import './root.js';
import './page-info.js';
import './node.js';
import './command-result.js';
import './asset.js';
import './balance.js';
import './ledger-entry.js';
import './transfer.js';
import './transfer-mutations.js';
import './wallet.js';
import './wallet-mutations.js';
import './wallet-as-of.js';
import './command-batch.js';

export const schema = builder.toSchema();
