// The renderer's memory (createRenderer): the same values are rendered once,
// a hit gives objects equal to the render's but of the caller's own (the memo
// keeps them packed, so a caller changing its copy cannot change the next
// one), and other values, another release or forget() render again. Real helm.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRenderer, pack, unpack } from '../../src/render/renderer.ts';
import { toValues } from '../../src/render/values.ts';
import { chartDir, fixedSecrets, goldenCases, goldenHelm, goldenNamespace } from '../harness/golden-cases.ts';

const c = goldenCases[0];
if (!c) throw new Error('no golden case');
const values = toValues(c.cr, fixedSecrets);
const other = { ...values, externalURL: 'https://other.example.com' };
const make = () => createRenderer({ helm: goldenHelm(), chartDir, timeoutMs: 60_000 }, 'digest');

describe('renderer memo', () => {
  const cases: { name: string; second: (r: ReturnType<typeof make>) => Promise<unknown>; cached: boolean }[] = [
    { name: 'same key, same values: a hit', second: (r) => r.render('k', 'harbor', goldenNamespace, structuredClone(values)), cached: true },
    { name: 'same key, other values: rendered', second: (r) => r.render('k', 'harbor', goldenNamespace, other), cached: false },
    { name: 'same key, other release: rendered', second: (r) => r.render('k', 'harbor2', goldenNamespace, values), cached: false },
    { name: 'other key, same values: rendered', second: (r) => r.render('k2', 'harbor', goldenNamespace, values), cached: false },
    {
      name: 'after forget(): rendered',
      second: (r) => {
        r.forget('k');
        return r.render('k', 'harbor', goldenNamespace, values);
      },
      cached: false,
    },
  ];
  for (const tc of cases) {
    test(tc.name, async () => {
      const r = make();
      const first = await r.render('k', 'harbor', goldenNamespace, values);
      assert.equal(first.cached, false);
      const again = (await tc.second(r)) as Awaited<ReturnType<typeof r.render>>;
      assert.equal(again.cached, tc.cached);
      assert.deepEqual(r.stats, { renders: tc.cached ? 1 : 2, hits: tc.cached ? 1 : 0 });
    });
  }

  test('a hit equals the render and is a copy of its own', async () => {
    const r = make();
    const first = await r.render('k', 'harbor', goldenNamespace, values);
    const snapshot = structuredClone(first.objects);
    assert.ok(first.objects.length > 10);
    const hit = await r.render('k', 'harbor', goldenNamespace, values);
    assert.equal(hit.cached, true);
    assert.equal(hit.hash, first.hash);
    assert.deepEqual(hit.objects, snapshot);
    assert.notEqual(hit.objects, first.objects);
    // a caller changing its objects does not change what the next hit gets
    for (const o of hit.objects) o.metadata.name = 'changed';
    const third = await r.render('k', 'harbor', goldenNamespace, values);
    assert.deepEqual(third.objects, snapshot);
  });

  test('a packed render holds memory of its own size only, and unpacks to the same objects', async () => {
    const r = make();
    const { objects } = await r.render('k', 'harbor', goldenNamespace, values);
    const packed = pack(objects);
    const json = Buffer.byteLength(JSON.stringify(objects));
    assert.ok(packed.byteLength < json / 3, `${packed.byteLength} B packed of ${json} B`);
    assert.equal(packed.buffer.byteLength, packed.byteLength, 'no larger buffer behind it');
    assert.deepEqual(unpack(packed), objects);
  });
});
