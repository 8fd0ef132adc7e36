// src/api/types.generated.ts must be exactly what the generator makes of the
// CRD: the two cannot drift apart.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { crdFile, generateTypes, typesFile } from '../../src/api/codegen.ts';

test('types.generated.ts is up to date with the CRD (run `npm run gen:types` after changing the CRD)', async () => {
  const expected = generateTypes(await readFile(crdFile, 'utf8'));
  const committed = await readFile(typesFile, 'utf8');
  assert.equal(committed, expected);
});

test('the generator is deterministic', async () => {
  const crd = await readFile(crdFile, 'utf8');
  assert.equal(generateTypes(crd), generateTypes(crd));
});
