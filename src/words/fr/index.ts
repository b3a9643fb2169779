// Every French word mailv shows outside --explain, gathered from one file per folder.
import type { Words } from '../catalogue.js';
import { gather } from '../gather.js';
import * as app from './app.js';
import * as auth from './auth.js';
import * as cli from './cli.js';
import * as config from './config.js';
import * as delivery from './delivery.js';
import * as diagram from './diagram.js';
import * as dns from './dns.js';
import * as help from './help.js';
import * as load from './load.js';
import * as message from './message.js';
import * as record from './record.js';
import * as smtp from './smtp.js';

export const fr: Words = gather({ app, auth, cli, config, delivery, diagram, dns, help, load, message, record, smtp });
