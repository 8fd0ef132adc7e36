import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { disruptionBudgets, type ReplicaFloor } from '../../src/render/disruption.ts';

describe('disruptionBudgets', () => {
  const cases: { name: string; floors: ReplicaFloor[]; want: string[] }[] = [
    { name: 'one replica: none', floors: [{ component: 'core', enabled: true, minReplicas: 1 }], want: [] },
    { name: 'no replicas: none', floors: [{ component: 'database', enabled: true, minReplicas: 0 }], want: [] },
    { name: 'two replicas: a budget', floors: [{ component: 'core', enabled: true, minReplicas: 2 }], want: ['core'] },
    { name: 'not deployed: none', floors: [{ component: 'trivy', enabled: false, minReplicas: 3 }], want: [] },
    {
      name: 'in the given order',
      floors: [
        { component: 'core', enabled: true, minReplicas: 2 },
        { component: 'portal', enabled: true, minReplicas: 1 },
        { component: 'registry', enabled: true, minReplicas: 3 },
      ],
      want: ['core', 'registry'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => { assert.deepEqual(disruptionBudgets(c.floors), c.want); });
  }
});
