/** Every command line tool's definition, by npm script: the help test reads package.json against this list. */
import { bench } from './bench.js';
import { demo, invoke, maintain, migrate, test } from './local.js';
import { forget, lookup, operatorLogin, replay, rotateKey, unmask } from './operator.js';
import { consume, redrive, send } from './queue.js';

export const commands = [demo, invoke, migrate, test, send, consume, redrive, lookup, unmask, forget, replay, rotateKey, operatorLogin, maintain, bench];
