// The per-release settings of core cover every supported line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registryTypes, registryTypesByLine } from '../../src/api/harbor-settings.ts';
import { supportedLines } from '../../src/api/versions.ts';

test('every supported line has registry types', () => {
  for (const { line } of supportedLines) {
    const t = registryTypes(`${line}.0`);
    assert.ok(t.proxyCacheRegistryTypes.length > 0, `${line}: no proxy-cache registry types`);
  }
  assert.deepEqual(Object.keys(registryTypesByLine).sort(), supportedLines.map((l) => l.line).sort());
});

test('from 2.14 on core is given the 12 adapters; 2.13 reads no whitelist', () => {
  assert.deepEqual(registryTypes('2.13.5').replicationAdapterWhitelist, []);
  for (const v of ['2.14.0', '2.15.2']) assert.equal(registryTypes(v).replicationAdapterWhitelist.length, 12, v);
});

test('quay may back a proxy cache only in 2.13', () => {
  assert.ok(registryTypes('2.13.0').proxyCacheRegistryTypes.includes('quay'));
  assert.ok(!registryTypes('2.14.4').proxyCacheRegistryTypes.includes('quay'));
  assert.ok(!registryTypes('2.15.2').proxyCacheRegistryTypes.includes('quay'));
});

test('an unknown line is refused', () => {
  assert.throws(() => registryTypes('2.12.9'), /no registry types known for Harbor 2\.12\.9/);
  assert.throws(() => registryTypes('latest'), /no registry types known/);
});
