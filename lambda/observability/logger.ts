import { Logger } from '@aws-lambda-powertools/logger';
import { redactReplacer } from './redact.js';

/** Powertools Logger whose serializer redacts PII (see redact.ts). */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName, jsonReplacerFn: redactReplacer });
}
