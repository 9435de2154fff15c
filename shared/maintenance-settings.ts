/**
 * The partition maintenance's settings: how many months of partitions exist
 * ahead of today, how long login rows are kept, and how long a quarantined
 * body stays sealed before it is shredded. One definition for every place
 * that runs maintenance (the scheduled function in AWS, `npm run maintain`,
 * the stack's context and environment), so their defaults and limits cannot
 * drift. Pure constants and a schema: no I/O.
 */
import { z } from 'zod';
import { parseValues, wholeNumber } from './values.js';

/** Months of partitions kept ready after the current one. */
export const MAINTENANCE_MONTHS_AHEAD = 3;
/** Whole months of login rows kept: 25 holds a two-year trend and the month in progress. */
export const RETENTION_MONTHS = 25;
/** Days a quarantined body stays sealed: the queues' and DLQ's retention (14 days, the SQS maximum). */
export const QUARANTINE_BODY_DAYS = 14;

/** The environment variables that set them, by setting. */
export const MAINTENANCE_ENV = {
  monthsAhead: 'PARTITION_MONTHS_AHEAD',
  retentionMonths: 'RETENTION_MONTHS',
  quarantineBodyDays: 'QUARANTINE_BODY_DAYS',
} as const;

/** Each setting's accepted range, as a number or as text. */
export const maintenanceSettingsSchema = z.object({
  monthsAhead: wholeNumber(1, 24).default(MAINTENANCE_MONTHS_AHEAD),
  retentionMonths: wholeNumber(1, 1200).default(RETENTION_MONTHS),
  quarantineBodyDays: wholeNumber(1, 365).default(QUARANTINE_BODY_DAYS),
});

export type MaintenanceSettings = z.output<typeof maintenanceSettingsSchema>;

/**
 * The settings from the environment: an unset or blank variable takes its
 * default; a bad one is the error `problem` makes of the variable's name,
 * its value and what it expects (the function's own configuration error).
 */
export function maintenanceSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  problem: (name: string, value: string | undefined, expected: string) => Error = (name, _value, expected) => new Error(`${name}: ${expected}`),
): MaintenanceSettings {
  const input: Record<string, string> = {};
  for (const [key, name] of Object.entries(MAINTENANCE_ENV)) {
    const value = env[name]?.trim();
    if (value) input[key] = value;
  }
  return parseValues(maintenanceSettingsSchema, input, (key, expected) => {
    const name = MAINTENANCE_ENV[key as keyof typeof MAINTENANCE_ENV] ?? key;
    return problem(name, env[name], expected);
  });
}
