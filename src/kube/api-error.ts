// An error answered by the API server, with its HTTP status and the reason
// from its Status object (NotFound, Conflict, Invalid, Gone, ...).
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly path: string;
  /** The server's own message (Status.message), without method and path. */
  readonly serverMessage: string;

  constructor(method: string, path: string, status: number, reason: string, message: string) {
    super(`${method} ${path}: ${status} ${reason}: ${message}`);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
    this.path = path;
    this.serverMessage = message;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.status === 409;
}

export function isGone(err: unknown): boolean {
  return err instanceof ApiError && err.status === 410;
}

export function isForbidden(err: unknown): boolean {
  return err instanceof ApiError && err.status === 403;
}

/**
 * Whether the server refused the request for what it is, so that sending it
 * again unchanged gets the same answer: 400 BadRequest, 403 Forbidden (RBAC,
 * admission, an exceeded quota), 422 Invalid (validation, a field that is
 * immutable, an admission policy's denial). Not: conflicts, throttling,
 * timeouts, server errors, a missing object.
 */
export function isPermanentApiError(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  return err.status === 400 || err.status === 403 || err.status === 422 || /field is immutable/.test(err.serverMessage);
}

/**
 * An apply refused for its precondition (writer.ts, ApplyPrecondition): 409
 * (an object exists where none was expected, or none where one was) or 422
 * naming metadata.uid (another object has the name now).
 */
export function isPreconditionFailure(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  return err.status === 409 || (err.status === 422 && err.message.includes('metadata.uid'));
}
