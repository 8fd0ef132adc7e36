// How a failed reconcile is reported: every failure ends as one reason and
// one message (naming the objects and the server's own words) for the
// Degraded condition and a warning event, and says whether retrying can help
// (a request the API server refused as invalid or forbidden gets the same
// answer again: it is retried slowly, not with the hot backoff). Pure.
import { ApiError, isPermanentApiError } from '../kube/api-error.ts';
import type { KubeObject } from '../model/object.ts';
import { RenderError } from '../render/render-error.ts';
import { SecretRefError } from './secret-refs.ts';

/** A failed step of a reconcile, with the reason status reports. */
export class ReconcileFailure extends Error {
  readonly reason: string;
  readonly permanent: boolean;
  /** The objects it concerns, as Kind/name. */
  readonly objects: readonly string[];

  constructor(reason: string, message: string, opts: { permanent?: boolean; objects?: readonly string[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ReconcileFailure';
    this.reason = reason;
    this.permanent = opts.permanent ?? false;
    this.objects = opts.objects ?? [];
  }
}

export interface FailureReport {
  reason: string;
  message: string;
  permanent: boolean;
}

/** Longest message put in a condition (the CRD allows 32768 characters). */
export const MAX_MESSAGE = 8000;
/** Longest server message kept per object in a list of failures. */
export const MAX_OBJECT_MESSAGE = 600;

/** What the server said, without the request line (the object is named instead). */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.status} ${err.reason}: ${err.serverMessage}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Whether retrying the same request cannot help. */
export function isPermanent(err: unknown): boolean {
  if (err instanceof ReconcileFailure) return err.permanent;
  return isPermanentApiError(err);
}

/**
 * Any error of a reconcile → what status says. `fallback` is the reason of
 * the step it came from, for errors that do not carry one.
 */
export function describeFailure(err: unknown, fallback: string): FailureReport {
  if (err instanceof ReconcileFailure) return { reason: err.reason, message: cap(err.message), permanent: err.permanent };
  if (err instanceof SecretRefError) return { reason: 'SecretNotFound', message: cap(err.message), permanent: false };
  if (err instanceof RenderError) return { reason: 'RenderFailed', message: cap(err.message), permanent: false };
  return { reason: fallback, message: cap(errorText(err)), permanent: isPermanentApiError(err) };
}

/** One object whose write failed. */
export interface WriteFailure {
  /** Kind/name. */
  object: string;
  message: string;
  permanent: boolean;
}

/** The failures among the settled writes of `objects` (results in the same order). */
export function failedWrites(objects: readonly KubeObject[], results: readonly PromiseSettledResult<unknown>[]): WriteFailure[] {
  if (objects.length !== results.length) throw new Error(`${objects.length} writes but ${results.length} results`);
  const out: WriteFailure[] = [];
  results.forEach((r, i) => {
    const o = objects[i];
    if (r.status === 'fulfilled' || !o) return;
    out.push({ object: `${o.kind}/${o.metadata.name}`, message: errorText(r.reason), permanent: isPermanent(r.reason) });
  });
  return out;
}

/**
 * The failure of a group of writes that ran together: every failed object
 * named first (so a cut-off event still names them all), then each one with
 * the server's message. Permanent only when every failure is.
 */
export function writesFailure(
  reason: string,
  verb: string,
  failures: readonly WriteFailure[],
  context: { attempted: number; where?: string },
): ReconcileFailure {
  if (failures.length === 0) throw new Error('writesFailure needs at least one failure');
  const names = failures.map((f) => f.object);
  const head = `could not ${verb} ${names.join(', ')} (${failures.length} of ${context.attempted} object(s)${context.where ? ` ${context.where}` : ''})`;
  const details = failures.map((f) => `${f.object}: ${clip(f.message, MAX_OBJECT_MESSAGE)}`).join('; ');
  return new ReconcileFailure(reason, cap(`${head}: ${details}`), {
    permanent: failures.every((f) => f.permanent),
    objects: names,
  });
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function cap(text: string): string {
  return clip(text, MAX_MESSAGE);
}
