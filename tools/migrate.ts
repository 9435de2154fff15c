import { runCommand } from './lib/command-line.js';
import { migrate as definition } from './lib/commands/local.js';
import { migrateDatabase, prepareLocalEnvironment } from './lib/local-environment.js';

/** npm run migrate: what it does is its definition's (tools/lib/commands/local.ts), shown by --help. */
runCommand(definition, async () => {
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
