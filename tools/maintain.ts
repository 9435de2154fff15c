import pg from 'pg';
import { runCommand } from './lib/command-line.js';
import { maintain as definition } from './lib/commands/local.js';
import { startLocalDatabase } from './lib/local-database.js';
import { provisionLocalMaintenanceLogin } from './lib/local-logins.js';
import { runMaintenance } from '../lambda/db/maintenance.js';
import { formatMaintenance, maintenanceSettings } from './lib/maintenance.js';

/** npm run maintain: what it does and takes is its definition's (tools/lib/commands/local.ts), shown by --help. */
runCommand(definition, async ({ options }) => {
  const settings = maintenanceSettings(options, process.env);
  const database = await startLocalDatabase({ log: (line) => console.error(line) });
  try {
    const url = await maintenanceUrl(database.url);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      const actions = await runMaintenance(client, settings, options.apply);
      process.stdout.write(formatMaintenance(actions, settings, options.apply));
    } finally {
      await client.end();
    }
  } finally {
    await database.stop();
  }
});

/** The maintenance login's URL, set up by the admin (the database's owner); the work itself runs as that login. */
async function maintenanceUrl(adminUrl: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    return await provisionLocalMaintenanceLogin(admin, adminUrl);
  } catch (error) {
    if ((error as { code?: unknown }).code === '42883' || /may only join/.test(String(error))) {
      throw new Error('the local database has no partition maintenance yet (an older schema); run `npm run migrate`', { cause: error });
    }
    throw error;
  } finally {
    await admin.end();
  }
}
