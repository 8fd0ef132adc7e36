// Which of the release's objects are handed to the HarborCluster in place
// (same object, same uid) and what is cleaned off them first. Pure: the
// release's object and the operator's render of the HarborCluster in, the
// cleaning out.
//
// Server-side apply never removes what another manager set, and a field no
// manager owns stays too. So handing over an object of Helm's by annotation
// alone would leave Helm's keys where the operator's pods read them (core
// reads its ConfigMap as environment variables). Before the HarborCluster is
// resumed, every handed-over object loses what the operator does not render:
// - ConfigMap and Secret: the data keys the operator's object has not (every
//   secret value among them is kept in the generated Secret, read back, before
//   any of this runs);
// - Service: Helm's selector (its keys would stay beside the operator's and
//   select no pod) and the ports the operator's Service has not (by port and
//   protocol, the key of that list; a kept port keeps its nodePort);
// - Ingress: the spec fields the operator's Ingress has not (tls,
//   ingressClassName, defaultBackend);
// and every managedFields entry but the status subresource's, so the fields
// Helm applied are not co-owned by Helm after the operator applies them.
// An object the operator does not render, or renders with another Secret
// type (immutable), is not handed over: it is deleted once the pods are gone.
import type { KubeObject } from '../model/object.ts';

export interface HandOver {
  /** Data keys (ConfigMap, Secret; `data` and `binaryData`) to remove: JSON pointers. */
  remove: string[];
  /** JSON pointers to replace, with their values. */
  replace: { path: string; value: unknown }[];
}

const pointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

type Port = { port?: number; protocol?: string };
const portKey = (p: Port): string => `${p.port ?? ''}/${p.protocol ?? 'TCP'}`;

export function renderedTwin(o: KubeObject, rendered: readonly KubeObject[]): KubeObject | undefined {
  return rendered.find((r) => r.kind === o.kind && r.apiVersion === o.apiVersion && r.metadata.name === o.metadata.name);
}

/** How `o` is cleaned before it is handed over, or undefined when it cannot be (not rendered, or another Secret type). */
export function handOverOf(o: KubeObject, rendered: readonly KubeObject[]): HandOver | undefined {
  const twin = renderedTwin(o, rendered);
  if (!twin) return undefined;
  const out: HandOver = { remove: [], replace: [] };
  switch (o.kind) {
    case 'Secret':
      if ((o['type'] ?? 'Opaque') !== (twin['type'] ?? 'Opaque')) return undefined;
      dropKeys(o, twin, 'data', out);
      return out;
    case 'ConfigMap':
      dropKeys(o, twin, 'data', out);
      dropKeys(o, twin, 'binaryData', out);
      return out;
    case 'Service': {
      const spec = (o['spec'] ?? {}) as { selector?: unknown; ports?: Port[] };
      const want = new Set((((twin['spec'] ?? {}) as { ports?: Port[] }).ports ?? []).map(portKey));
      if (spec.selector !== undefined) out.remove.push('/spec/selector');
      const ports = spec.ports ?? [];
      const kept = ports.filter((p) => want.has(portKey(p)));
      // A Service needs a port; when none is kept, the operator's own are set now.
      if (kept.length !== ports.length) out.replace.push({ path: '/spec/ports', value: kept.length > 0 ? kept : (twin['spec'] as { ports?: Port[] }).ports });
      return out;
    }
    case 'Ingress': {
      const spec = (o['spec'] ?? {}) as Record<string, unknown>;
      const twinSpec = (twin['spec'] ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(spec).sort()) if (!(k in twinSpec)) out.remove.push(`/spec/${pointer(k)}`);
      return out;
    }
    default:
      return undefined;
  }
}

function dropKeys(o: KubeObject, twin: KubeObject, field: 'data' | 'binaryData', out: HandOver): void {
  const live = (o[field] ?? {}) as Record<string, unknown>;
  const want = (twin[field] ?? {}) as Record<string, unknown>;
  const drop = Object.keys(live).filter((k) => !(k in want)).sort();
  // Removing every key of the field would leave `{}`; removing the field is the same and one op.
  if (drop.length > 0 && drop.length === Object.keys(live).length) out.remove.push(`/${field}`);
  else for (const k of drop) out.remove.push(`/${field}/${pointer(k)}`);
}
