import type { ClientBase } from 'pg';
import type { MaintenanceSettings } from '../../shared/maintenance-settings.js';

/** One thing maintenance does (or would do): a row of login_etl_maintain_v1 (migration 20). Names, dates and counts only. */
export interface MaintenanceAction {
  action: string;
  target: string;
  detail: string;
}

/**
 * Runs login_etl_maintain_v1 on `client` (the maintenance login): a dry run
 * unless `apply`. The scheduled function and `npm run maintain` both call it.
 */
export async function runMaintenance(client: ClientBase, s: MaintenanceSettings, apply: boolean): Promise<MaintenanceAction[]> {
  const result = await client.query<MaintenanceAction>('SELECT action, target, detail FROM login_etl_maintain_v1($1::integer, $2::integer, $3::integer, $4::boolean)', [
    s.monthsAhead,
    s.retentionMonths,
    s.quarantineBodyDays,
    apply,
  ]);
  return result.rows;
}
