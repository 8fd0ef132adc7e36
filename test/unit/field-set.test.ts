import assert from 'node:assert/strict';
import { test } from 'node:test';
import { project } from '../../src/kube/field-set.ts';

const container = {
  name: 'core',
  image: 'core:1',
  imagePullPolicy: 'IfNotPresent',
  terminationMessagePath: '/dev/termination-log',
  ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
  args: ['--a', '--b'],
};
const sidecar = { name: 'mesh', image: 'mesh:1' };

const cases: { name: string; value: unknown; set: unknown; want: unknown }[] = [
  { name: 'an empty set keeps the whole value', value: { a: 1, b: { c: 2 } }, set: {}, want: { a: 1, b: { c: 2 } } },
  { name: 'a set of only "." keeps the whole value', value: { a: 1 }, set: { '.': {} }, want: { a: 1 } },
  { name: 'fields of a map: named ones kept, others dropped', value: { a: 1, b: 2, c: 3 }, set: { 'f:a': {}, 'f:c': {} }, want: { a: 1, c: 3 } },
  { name: 'a named field that is absent stays absent', value: { a: 1 }, set: { 'f:a': {}, 'f:z': {} }, want: { a: 1 } },
  { name: 'nested maps', value: { s: { x: 1, y: { p: 1, q: 2 } }, t: 1 }, set: { 'f:s': { 'f:y': { 'f:q': {} } } }, want: { s: { y: { q: 2 } } } },
  {
    name: 'associative list: own elements by key, projected; foreign elements dropped',
    value: [container, sidecar],
    set: { 'k:{"name":"core"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:args': {} } },
    want: [{ name: 'core', image: 'core:1', args: ['--a', '--b'] }],
  },
  {
    name: 'a key of several fields, one of them defaulted by the server',
    value: [
      { port: 80, protocol: 'TCP', targetPort: 8080, name: 'http' },
      { port: 443, protocol: 'TCP', targetPort: 8443, name: 'https' },
    ],
    set: { 'k:{"port":443,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:name': {} } },
    want: [{ port: 443, name: 'https' }],
  },
  { name: 'an element owned only as itself is kept whole', value: [container], set: { 'k:{"name":"core"}': { '.': {} } }, want: [container] },
  { name: 'set list by value', value: ['a', 'b', 'c'], set: { 'v:"a"': {}, 'v:"c"': {} }, want: ['a', 'c'] },
  { name: 'set list of objects by value', value: [{ x: 1 }, { x: 2 }], set: { 'v:{"x":2}': {} }, want: [{ x: 2 }] },
  { name: 'list by index', value: ['a', 'b', 'c'], set: { 'i:1': {} }, want: ['b'] },
  { name: 'an atomic list (leaf) is kept whole', value: { args: ['x', 'y'] }, set: { 'f:args': {} }, want: { args: ['x', 'y'] } },
  { name: 'list order is the live order', value: [{ name: 'b' }, { name: 'a' }], set: { 'k:{"name":"a"}': {}, 'k:{"name":"b"}': {} }, want: [{ name: 'b' }, { name: 'a' }] },
  { name: 'an unknown key kind keeps the whole list', value: ['a', 'b'], set: { 'x:1': {} }, want: ['a', 'b'] },
  { name: 'an unreadable key keeps the whole list', value: ['a'], set: { 'k:{not json': {} }, want: ['a'] },
  { name: 'list keys over a map keep the whole map', value: { a: 1 }, set: { 'k:{"a":1}': {} }, want: { a: 1 } },
  { name: 'map keys over a scalar keep the scalar', value: 'text', set: { 'f:a': {} }, want: 'text' },
  { name: 'a set that is not an object keeps the value', value: { a: 1 }, set: null, want: { a: 1 } },
  { name: 'a key matches only when every key field is equal', value: [{ name: 'a', port: 1 }], set: { 'k:{"name":"a","port":2}': {} }, want: [] },
];

for (const c of cases) {
  test(`project: ${c.name}`, () => {
    const before = structuredClone(c.value);
    assert.deepEqual(project(c.value, c.set), c.want);
    assert.deepEqual(c.value, before, 'the input is not changed');
  });
}
