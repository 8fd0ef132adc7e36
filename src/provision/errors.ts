// What went wrong talking to PostgreSQL, as a condition reason: pure. The
// message is the server's (or the socket's); it never carries a credential,
// and callers still pass it through redact().

export type FailureReason =
  | 'ServerUnreachable'
  | 'AuthenticationFailed'
  | 'InsufficientPrivilege'
  | 'TLSFailed'
  | 'ProvisioningFailed';

export interface Classified {
  reason: FailureReason;
  message: string;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);

function field(err: unknown, k: string): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const v = (err as Record<string, unknown>)[k];
  return typeof v === 'string' ? v : undefined;
}

/** SQLSTATE classes and codes: https://www.postgresql.org/docs/current/errcodes-appendix.html */
export function classify(err: unknown): Classified {
  const message = err instanceof Error ? err.message : String(err);
  const code = field(err, 'code') ?? '';
  // Errors the server answered carry a severity and a five-character SQLSTATE.
  if (field(err, 'severity') !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
    if (code === '28P01' || code === '28000') return { reason: 'AuthenticationFailed', message };
    if (code === '42501') return { reason: 'InsufficientPrivilege', message };
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return { reason: 'ServerUnreachable', message };
    return { reason: 'ProvisioningFailed', message };
  }
  if (UNREACHABLE.has(code)) return { reason: 'ServerUnreachable', message };
  if (
    /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL/.test(code) ||
    /does not support SSL|establishing an SSL connection/.test(message)
  )
    return { reason: 'TLSFailed', message };
  if (/timeout|Connection terminated|connection.*(closed|ended)/i.test(message)) return { reason: 'ServerUnreachable', message };
  return { reason: 'ProvisioningFailed', message };
}
