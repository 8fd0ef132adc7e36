// A SCRAM-SHA-256 password verifier as PostgreSQL stores it (RFC 5802 and
// 7677; the format of libpq's PQencryptPasswordConn):
//   SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
// Sent instead of the password, so the password itself never reaches the
// server's logs. The operator's passwords are ASCII letters and digits, which
// SASLprep leaves as they are.
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';

export const SCRAM_ITERATIONS = 4096;

export function scramVerifier(password: string, salt: Buffer, iterations = SCRAM_ITERATIONS): string {
  if (!/^[\x20-\x7e]*$/.test(password)) throw new Error('scramVerifier: only printable ASCII passwords are supported');
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
