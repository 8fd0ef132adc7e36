// Splits helm's multi-document YAML into objects, refusing anything that is
// not a Kubernetes object.
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../model/object.ts';

export function parseManifests(text: string): KubeObject[] {
  const out: KubeObject[] = [];
  // YAML 1.1, as Helm and Kubernetes read it (0644 is octal, yes is true).
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length > 0) throw new Error(doc.errors[0]?.message ?? 'YAML error');
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('a document is not an object');
    const o = value as Partial<KubeObject>;
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
      throw new Error(`a document lacks apiVersion, kind or metadata.name: ${JSON.stringify(value).slice(0, 120)}`);
    }
    out.push(o as KubeObject);
  }
  return out;
}
