// The function validates with zod/mini: the same core as classic zod,
// without the chaining classes and JSON-schema code that classic zod
// evaluates at load, which the bundle would compile at every cold start
// (docs/performance.md). zod/mini ships without messages; the English ones are what
// quarantine details and configuration errors show, so every module that
// validates imports this one. The locale by its own path: z.locales would
// bundle every language.
import en from 'zod/v4/locales/en.js';
import { config } from 'zod/mini';

config(en());
