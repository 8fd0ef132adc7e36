// Harbor version strings: parsing, ordering, and the CRD's rule on
// spec.version, which is generated from the release table (src/api/releases.ts)
// and checked against the CRD by test/unit/versions.test.ts.
import { releaseOf, supportedVersions } from './releases.ts';

export { defaultVersion } from './releases.ts';

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

const versionSyntax = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

/** Parses "<major>.<minor>.<patch>" (no "v" prefix, no pre-release); undefined if it is not one. */
export function parseVersion(version: string): Version | undefined {
  const m = versionSyntax.exec(version);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** Negative, zero or positive as a is older than, the same as or newer than b. Throws on a malformed version. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) throw new Error(`not a version of the form <major>.<minor>.<patch>: ${x ? b : a}`);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

/** Whether the release table has a row for this version. */
export function isSupportedVersion(version: string): boolean {
  return releaseOf(version) !== undefined;
}

/** The CEL rule of the CRD's spec.version: one of the table's versions. */
export function versionRule(): string {
  return `self in [${supportedVersions().map((v) => `'${v}'`).join(', ')}]`;
}

/** The message of that rule: every supported version. */
export function versionMessage(): string {
  return `spec.version must be a Harbor release this operator knows: ${supportedVersions().join(', ')}`;
}
