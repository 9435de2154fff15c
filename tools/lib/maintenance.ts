import { UsageError } from './cli.js';
import { maintenanceSettingsFromEnv, maintenanceSettingsSchema, type MaintenanceSettings } from '../../shared/maintenance-settings.js';
import { parseValues } from '../../shared/values.js';
import type { MaintenanceAction } from '../../lambda/db/maintenance.js';

const FLAGS = { monthsAhead: 'months-ahead', retentionMonths: 'retention-months', quarantineBodyDays: 'quarantine-body-days' } as const;
type Key = keyof typeof FLAGS;

/**
 * The settings of a run: each flag when given, else its environment variable
 * (shared/maintenance-settings.ts), else the default. A bad value is a usage
 * error naming the flag or the variable.
 */
export function maintenanceSettings(flags: Partial<Record<`${(typeof FLAGS)[Key]}`, string>>, env: NodeJS.ProcessEnv): MaintenanceSettings {
  let fromEnv: MaintenanceSettings;
  try {
    fromEnv = maintenanceSettingsFromEnv(env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const input: Record<string, unknown> = { ...fromEnv };
  for (const key of Object.keys(FLAGS) as Key[]) {
    const flag = flags[FLAGS[key]];
    if (flag !== undefined) input[key] = flag;
  }
  return parseValues(maintenanceSettingsSchema, input, (key, expected) => new UsageError(`--${FLAGS[key as Key] ?? key}: ${expected}`));
}

/** The run as printed: one aligned line per action, then what the run was. Names, dates and counts only. */
export function formatMaintenance(actions: readonly MaintenanceAction[], s: MaintenanceSettings, apply: boolean): string {
  const width = (pick: (a: MaintenanceAction) => string) => Math.max(0, ...actions.map((a) => pick(a).length));
  const [w1, w2] = [width((a) => a.action), width((a) => a.target)];
  const lines = actions.map((a) => `${a.action.padEnd(w1)}  ${a.target.padEnd(w2)}  ${a.detail}`);
  const settings = `${s.monthsAhead} months ahead, ${s.retentionMonths} months of logins kept, quarantined bodies kept ${s.quarantineBodyDays} days`;
  const outcome =
    actions.length === 0
      ? `nothing to do (${settings})`
      : apply
        ? `done: ${actions.length} actions (${settings})`
        : `dry run: ${actions.length} actions would be taken, nothing changed; run again with --apply to take them (${settings})`;
  return [...lines, outcome, ''].join('\n');
}
