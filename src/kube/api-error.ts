// An error answered by the API server, with its HTTP status and the reason
// from its Status object (NotFound, Conflict, Invalid, Gone, ...).
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly path: string;
  /** The server's own message (the Status object's). */
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

export function isGone(err: unknown): boolean {
  return err instanceof ApiError && err.status === 410;
}

export function isForbidden(err: unknown): boolean {
  return err instanceof ApiError && err.status === 403;
}
