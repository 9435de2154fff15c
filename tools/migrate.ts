import { runCli } from './lib/cli.js';
import { migrateDatabase, prepareLocalEnvironment } from './lib/local-environment.js';

/** npm run migrate: apply pending migrations to DATABASE_URL (else the embedded database). */
runCli('migrate', async () => {
  const { database } = await prepareLocalEnvironment((line) => console.error(line));
  try {
    const result = await migrateDatabase(database.url);
    if (result.checksumsRecorded.length > 0) {
      console.log(`recorded the checksums of ${result.checksumsRecorded.length} migrations applied before checksums existed`);
    }
    console.log(
      result.applied.length > 0
        ? `applied ${result.applied.join(', ')} (${result.alreadyApplied} already applied)`
        : `schema up to date (${result.alreadyApplied} migrations applied earlier)`,
    );
  } finally {
    await database.stop();
  }
});
