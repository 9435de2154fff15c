import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

const ITERATIONS = 4096;
/** Printable ASCII: SASLprep leaves it unchanged, so the verifier below matches what the server computes. */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * A password as PostgreSQL stores it (RFC 5802/7677 SCRAM-SHA-256 verifier),
 * computed here so that `ALTER ROLE … PASSWORD` carries the verifier and the
 * password itself never reaches the server, its statement log or
 * pg_stat_statements (psql's \password does the same). Hand-written because
 * node-postgres does not export its SCRAM code; ten lines of node:crypto.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16)): string {
  if (!PRINTABLE_ASCII.test(password)) throw new Error('a database password must be printable ASCII without spaces');
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
