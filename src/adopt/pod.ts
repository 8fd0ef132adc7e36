// What a workload's container sees: the value of an environment variable, the
// content of a mounted file, the claim behind a volume, resolved from the
// ConfigMaps and Secrets it references, as the kubelet would. Pure: the
// objects are given.
//
// Kubernetes' rules (core/v1 Container): `env` wins over `envFrom`; among
// envFrom sources a key of a later source wins; an envFrom source may add a
// prefix. A volume's `items` map keys to paths; without items every key is a
// file named after it. A mount's subPath picks one file of the volume.
import type { KubeObject } from '../model/object.ts';

export interface Container {
  name: string;
  image?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef };
}
interface KeyRef {
  name?: string;
  key: string;
}
interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name?: string };
  secretRef?: { name?: string };
}

export interface PodSpec {
  containers?: Container[];
  volumes?: Volume[];
  imagePullSecrets?: { name?: string }[];
}

export interface Volume {
  name: string;
  secret?: { secretName?: string; items?: { key: string; path: string }[] };
  configMap?: { name?: string; items?: { key: string; path: string }[] };
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: object;
}

/** Where a value came from: a Secret's or ConfigMap's key, or a literal in the pod spec. */
export type Source = { kind: 'Secret' | 'ConfigMap'; name: string; key: string } | { kind: 'literal'; container: string };

export interface Resolved {
  value: string;
  source: Source;
}

/** The namespace's ConfigMaps and Secrets by name. */
export interface Objects {
  secret(name: string): KubeObject | undefined;
  configMap(name: string): KubeObject | undefined;
}

export function objectsOf(list: readonly KubeObject[]): Objects {
  const secrets = new Map<string, KubeObject>();
  const configMaps = new Map<string, KubeObject>();
  for (const o of list) {
    if (o.apiVersion !== 'v1') continue;
    if (o.kind === 'Secret') secrets.set(o.metadata.name, o);
    if (o.kind === 'ConfigMap') configMaps.set(o.metadata.name, o);
  }
  return { secret: (n) => secrets.get(n), configMap: (n) => configMaps.get(n) };
}

export function podSpecOf(workload: KubeObject | undefined): PodSpec {
  const spec = workload?.['spec'] as { template?: { spec?: PodSpec } } | undefined;
  return spec?.template?.spec ?? {};
}

export function containerOf(workload: KubeObject | undefined, name: string): Container | undefined {
  return podSpecOf(workload).containers?.find((c) => c.name === name);
}

/** A key of a Secret (decoded) or ConfigMap. */
export function keyOf(objects: Objects, kind: 'Secret' | 'ConfigMap', name: string, key: string): string | undefined {
  if (kind === 'Secret') {
    const data = objects.secret(name)?.['data'] as Record<string, string> | undefined;
    const v = data?.[key];
    return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
  }
  const data = objects.configMap(name)?.['data'] as Record<string, string> | undefined;
  return data?.[key];
}

/** The value of environment variable `name` in the container, or undefined when nothing sets it. */
export function envOf(objects: Objects, container: Container | undefined, name: string): Resolved | undefined {
  if (!container) return undefined;
  const direct = (container.env ?? []).filter((e) => e.name === name).at(-1);
  if (direct) {
    if (direct.value !== undefined) return { value: direct.value, source: { kind: 'literal', container: container.name } };
    const s = direct.valueFrom?.secretKeyRef;
    if (s?.name) return fromKey(objects, 'Secret', s.name, s.key);
    const c = direct.valueFrom?.configMapKeyRef;
    if (c?.name) return fromKey(objects, 'ConfigMap', c.name, c.key);
    return undefined;
  }
  let found: Resolved | undefined;
  for (const src of container.envFrom ?? []) {
    const prefix = src.prefix ?? '';
    if (!name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    const ref = src.secretRef?.name ? { kind: 'Secret' as const, name: src.secretRef.name } : src.configMapRef?.name ? { kind: 'ConfigMap' as const, name: src.configMapRef.name } : undefined;
    if (!ref) continue;
    const hit = fromKey(objects, ref.kind, ref.name, key);
    if (hit) found = hit;
  }
  return found;
}

function fromKey(objects: Objects, kind: 'Secret' | 'ConfigMap', name: string, key: string): Resolved | undefined {
  const value = keyOf(objects, kind, name, key);
  return value === undefined ? undefined : { value, source: { kind, name, key } };
}

/** The Secret or ConfigMap key behind the file the container sees at `path` (a mount with subPath, or a file in a mounted folder). */
export function fileSource(workload: KubeObject | undefined, container: Container | undefined, path: string): { kind: 'Secret' | 'ConfigMap'; name: string; key: string } | undefined {
  if (!container) return undefined;
  const volumes = podSpecOf(workload).volumes ?? [];
  for (const m of container.volumeMounts ?? []) {
    let file: string | undefined;
    if (m.subPath && m.mountPath === path) file = m.subPath;
    else if (!m.subPath && path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`)) file = path.slice(m.mountPath.replace(/\/$/, '').length + 1);
    if (file === undefined) continue;
    const v = volumes.find((x) => x.name === m.name);
    const src = v?.secret?.secretName ? { kind: 'Secret' as const, name: v.secret.secretName, items: v.secret.items } : v?.configMap?.name ? { kind: 'ConfigMap' as const, name: v.configMap.name, items: v.configMap.items } : undefined;
    if (!src) continue;
    const key = src.items ? src.items.find((i) => i.path === file)?.key : file;
    if (key !== undefined) return { kind: src.kind, name: src.name, key };
  }
  return undefined;
}

/** The content of the file the container sees at `path`. */
export function fileOf(objects: Objects, workload: KubeObject | undefined, container: Container | undefined, path: string): Resolved | undefined {
  const src = fileSource(workload, container, path);
  return src ? fromKey(objects, src.kind, src.name, src.key) : undefined;
}

/** What backs the volume a workload mounts as `volume`, and with which subPath. */
export type DataVolume =
  | { kind: 'claim'; claim: string; subPath: string; fromTemplate: boolean }
  | { kind: 'ephemeral'; subPath: string }
  | { kind: 'absent' };

/**
 * The claim behind volume `volume` of the workload's pod 0: a pod volume
 * naming a claim, or a volumeClaimTemplate (whose claim is
 * <template>-<statefulset>-0), or an emptyDir.
 */
export function dataVolume(workload: KubeObject | undefined, container: string, volume: string): DataVolume {
  if (!workload) return { kind: 'absent' };
  const c = containerOf(workload, container);
  const mount = c?.volumeMounts?.find((m) => m.name === volume);
  if (!mount) return { kind: 'absent' };
  const subPath = mount.subPath ?? '';
  const v = podSpecOf(workload).volumes?.find((x) => x.name === volume);
  if (v?.persistentVolumeClaim) return { kind: 'claim', claim: v.persistentVolumeClaim.claimName, subPath, fromTemplate: false };
  if (v) return { kind: 'ephemeral', subPath };
  const templates = ((workload['spec'] as { volumeClaimTemplates?: { metadata?: { name?: string } }[] } | undefined)?.volumeClaimTemplates ?? []);
  if (templates.some((t) => t.metadata?.name === volume)) {
    return { kind: 'claim', claim: `${volume}-${workload.metadata.name}-0`, subPath, fromTemplate: true };
  }
  return { kind: 'absent' };
}

/** A container image split: `registry/…/name:tag` → registry host part, repository path, name, tag. */
export function splitImage(image: string): { registry: string; path: string; name: string; tag: string } {
  const at = image.indexOf('@');
  const noDigest = at < 0 ? image : image.slice(0, at);
  const colon = noDigest.lastIndexOf(':');
  const slash = noDigest.lastIndexOf('/');
  const tag = colon > slash ? noDigest.slice(colon + 1) : '';
  const repo = colon > slash ? noDigest.slice(0, colon) : noDigest;
  const parts = repo.split('/');
  const first = parts[0] ?? '';
  // As the container runtimes: a first part with a dot or a colon, or "localhost", is a registry host.
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasHost ? first : 'docker.io';
  const rest = hasHost ? parts.slice(1) : parts;
  return { registry, path: rest.slice(0, -1).join('/'), name: rest.at(-1) ?? '', tag };
}
