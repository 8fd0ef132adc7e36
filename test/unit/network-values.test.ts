// networkValues: spec.network → ipFamilyPolicy and ipFamilies of every
// Service; unset fields stay out (the API server's defaults, no owned field).
// The chart side: every Service of a render carries exactly those fields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HarborClusterSpec } from '../../src/api/types.generated.ts';
import type { NetworkValues } from '../../src/render/chart-values.ts';
import { networkValues } from '../../src/render/network.ts';
import { dualStackCase, renderCase } from '../harness/golden-cases.ts';

const cases: { name: string; network: HarborClusterSpec['network']; want: NetworkValues }[] = [
  { name: 'unset', network: undefined, want: {} },
  { name: 'empty', network: {}, want: {} },
  { name: 'policy only', network: { ipFamilyPolicy: 'PreferDualStack' }, want: { ipFamilyPolicy: 'PreferDualStack' } },
  { name: 'IPv6 single stack', network: { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv6'] }, want: { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv6'] } },
  {
    name: 'dual stack, order kept (primary first)',
    network: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'] },
    want: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'] },
  },
  { name: 'empty list left out', network: { ipFamilies: [] }, want: {} },
];

for (const c of cases) {
  test(`networkValues: ${c.name}`, () => {
    assert.deepEqual(networkValues(c.network ? { network: c.network } : {}), c.want);
  });
}

test('chart: every Service of the dual-stack case carries spec.network, and no other object does', async () => {
  const objects = await renderCase(dualStackCase);
  const services = objects.filter((o) => o.kind === 'Service');
  assert.ok(services.length >= 8, `only ${services.length} Services rendered`);
  for (const s of services) {
    const spec = s['spec'] as Record<string, unknown>;
    assert.equal(spec['ipFamilyPolicy'], 'RequireDualStack', s.metadata.name);
    assert.deepEqual(spec['ipFamilies'], ['IPv6', 'IPv4'], s.metadata.name);
  }
  for (const o of objects.filter((x) => x.kind !== 'Service')) assert.ok(!JSON.stringify(o).includes('ipFamil'), `${o.kind} ${o.metadata.name}`);
});
