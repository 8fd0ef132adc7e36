// spec.network → the IP family settings of every Service the chart renders.
// Pure. Only the fields set are passed on: an unset one is left to the API
// server's defaults (and is then no field the operator owns, so no drift).
import type { HarborClusterSpec } from '../api/types.generated.ts';
import type { NetworkValues } from './chart-values.ts';

export function networkValues(spec: Pick<HarborClusterSpec, 'network'>): NetworkValues {
  const n = spec.network ?? {};
  return {
    ...(n.ipFamilyPolicy ? { ipFamilyPolicy: n.ipFamilyPolicy } : {}),
    ...(n.ipFamilies?.length ? { ipFamilies: [...n.ipFamilies] } : {}),
  };
}
