// The Harbor versions the operator supports, in one place. The CRD's rule on
// spec.version is checked against this table by test/unit/versions.test.ts.

export interface SupportedLine {
  /** Minor line, "<major>.<minor>". */
  line: string;
  /** Image of the in-cluster cache under goharbor/ (upstream moved from Redis to Valkey in 2.15). */
  redisImage: 'redis-photon' | 'valkey-photon';
}

/** The last three minor lines, oldest first. */
export const supportedLines: readonly SupportedLine[] = [
  { line: '2.13', redisImage: 'redis-photon' },
  { line: '2.14', redisImage: 'redis-photon' },
  { line: '2.15', redisImage: 'valkey-photon' },
];

/** The newest supported release: the default of spec.version. */
export const defaultVersion = '2.15.1';

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

/** The supported line a version belongs to, if any. */
export function lineOf(version: string): SupportedLine | undefined {
  const v = parseVersion(version);
  return v && supportedLines.find((l) => l.line === `${v.major}.${v.minor}`);
}

export function isSupportedVersion(version: string): boolean {
  return lineOf(version) !== undefined;
}

/** Image name of the in-cluster cache for a supported version. */
export function redisImage(version: string): SupportedLine['redisImage'] {
  const line = lineOf(version);
  if (!line) throw new Error(`unsupported Harbor version ${version}`);
  return line.redisImage;
}

/** The regular expression (RE2 and JavaScript) the CRD's spec.version rule must use. */
export function versionPattern(): string {
  const lines = supportedLines.map((l) => l.line.replace('.', '\\.'));
  return `^(${lines.join('|')})\\.(0|[1-9][0-9]*)$`;
}
