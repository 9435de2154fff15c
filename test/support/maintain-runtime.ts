/**
 * Stands in for the Lambda runtime in a child process, for the scheduled
 * maintenance: imports the real lambda/maintain-handler.ts (so its
 * cold-start configuration runs), invokes it once as EventBridge would, and
 * reports on stderr what it returned or threw.
 */
try {
  const { handler } = await import('../../lambda/maintain-handler.js');
  try {
    process.stderr.write(`RESULT ${JSON.stringify(await handler())}\n`);
  } catch (error) {
    process.stderr.write(`THROWN ${(error as Error).name}: ${(error as Error).message}\n`);
  }
} catch (error) {
  process.stderr.write(`INIT FAILED ${(error as Error).name}: ${(error as Error).message}\n`);
}
process.exit(0);
