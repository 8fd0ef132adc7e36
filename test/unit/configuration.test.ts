// spec.configuration → CONFIG_OVERWRITE_JSON (render/configuration.ts): item
// names and value types as Harbor's metadata list has them, secrets from
// their Secrets, and the names status shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Configuration } from '../../src/api/types.generated.ts';
import { configOverwriteJSON, freeFormItems, managedItems, quotaBytes, type ConfigurationSecrets } from '../../src/render/configuration.ts';

/**
 * The items of user scope in Harbor's metadata list: what CONFIG_OVERWRITE_JSON
 * may carry (goharbor/harbor v2.15.2 src/lib/config/metadata/metadatalist.go
 * Scope UserScope, names from src/common/const.go; the same 61 at v2.13.0 and
 * v2.14.0). Every other item is refused by core (system scope or unknown).
 */
const userScopeItems = [
  'audit_log_forward_endpoint', 'auth_mode', 'banner_message', 'disabled_audit_log_event_types',
  'http_authproxy_admin_groups', 'http_authproxy_admin_usernames', 'http_authproxy_endpoint',
  'http_authproxy_server_certificate', 'http_authproxy_skip_search', 'http_authproxy_tokenreview_endpoint',
  'http_authproxy_verify_cert', 'ldap_base_dn', 'ldap_filter', 'ldap_group_admin_dn', 'ldap_group_attach_parallel',
  'ldap_group_attribute_name', 'ldap_group_base_dn', 'ldap_group_membership_attribute', 'ldap_group_search_filter',
  'ldap_group_search_scope', 'ldap_scope', 'ldap_search_dn', 'ldap_search_password', 'ldap_timeout', 'ldap_uid',
  'ldap_url', 'ldap_verify_cert', 'notification_enable', 'oidc_admin_group', 'oidc_auto_onboard', 'oidc_client_id',
  'oidc_client_secret', 'oidc_endpoint', 'oidc_extra_redirect_parms', 'oidc_group_filter', 'oidc_groups_claim',
  'oidc_logout', 'oidc_name', 'oidc_scope', 'oidc_user_claim', 'oidc_verify_cert', 'primary_auth_mode',
  'project_creation_restriction', 'pull_audit_log_disable', 'pull_count_update_disable', 'pull_time_update_disable',
  'quota_per_project_enable', 'read_only', 'robot_name_prefix', 'robot_token_duration', 'scan_all_policy',
  'scanner_skip_update_pulltime', 'self_registration', 'session_timeout', 'skip_audit_log_database',
  'storage_per_project', 'token_expiration', 'uaa_client_id', 'uaa_client_secret', 'uaa_endpoint', 'uaa_verify_cert',
];

const secrets: ConfigurationSecrets = { oidcClientSecret: 'oidc-secret', ldapSearchPassword: 'ldap-pw', uaaClientSecret: 'uaa-secret' };

const basic: Configuration = {
  selfRegistration: false,
  projectCreationRestriction: 'AdminOnly',
  robotAccounts: { tokenDurationDays: 90, namePrefix: 'bot+' },
  defaultProjectQuota: '10Gi',
  readOnly: true,
  auditLog: { forwardEndpoint: 'syslog.example.com:514', skipDatabase: true },
};
const basicJSON = {
  audit_log_forward_endpoint: 'syslog.example.com:514',
  project_creation_restriction: 'adminonly',
  read_only: true,
  robot_name_prefix: 'bot+',
  robot_token_duration: 90,
  self_registration: false,
  skip_audit_log_database: true,
  storage_per_project: 10737418240,
};

const oidc: Configuration = {
  ...basic,
  auth: {
    mode: 'OIDC',
    oidc: {
      name: 'Keycloak',
      endpoint: 'https://id.example.com/realms/harbor',
      clientID: 'harbor',
      clientSecretSecretRef: { name: 'oidc' },
      scopes: ['openid', 'profile', 'offline_access'],
      groupsClaim: 'groups',
      adminGroup: 'harbor-admins',
      groupFilter: '^harbor-',
      userClaim: 'preferred_username',
      verifyCert: true,
      autoOnboard: true,
      logout: true,
      extraRedirectParams: { prompt: 'login' },
    },
  },
  settings: { banner_message: '{"message":"maintenance"}', session_timeout: 120, notification_enable: 'false' },
};
const oidcJSON = {
  ...basicJSON,
  auth_mode: 'oidc_auth',
  banner_message: '{"message":"maintenance"}',
  notification_enable: 'false',
  oidc_admin_group: 'harbor-admins',
  oidc_auto_onboard: true,
  oidc_client_id: 'harbor',
  oidc_client_secret: 'oidc-secret',
  oidc_endpoint: 'https://id.example.com/realms/harbor',
  oidc_extra_redirect_parms: { prompt: 'login' },
  oidc_group_filter: '^harbor-',
  oidc_groups_claim: 'groups',
  oidc_logout: true,
  oidc_name: 'Keycloak',
  oidc_scope: 'openid,profile,offline_access',
  oidc_user_claim: 'preferred_username',
  oidc_verify_cert: true,
  session_timeout: 120,
};

const ldap: Configuration = {
  auth: {
    mode: 'LDAP',
    ldap: {
      url: 'ldaps://ldap.example.com',
      baseDN: 'ou=people,dc=example,dc=com',
      searchDN: 'cn=harbor,dc=example,dc=com',
      searchPasswordSecretRef: { name: 'ldap' },
      filter: '(objectClass=person)',
      uid: 'uid',
      scope: 'OneLevel',
      timeoutSeconds: 10,
      verifyCert: false,
      group: {
        baseDN: 'ou=groups,dc=example,dc=com',
        filter: '(objectClass=groupOfNames)',
        attributeName: 'cn',
        scope: 'Base',
        adminDN: 'cn=admins,ou=groups,dc=example,dc=com',
        membershipAttribute: 'memberOf',
        attachParallel: true,
      },
    },
  },
};
const ldapJSON = {
  auth_mode: 'ldap_auth',
  ldap_base_dn: 'ou=people,dc=example,dc=com',
  ldap_filter: '(objectClass=person)',
  ldap_group_admin_dn: 'cn=admins,ou=groups,dc=example,dc=com',
  ldap_group_attach_parallel: true,
  ldap_group_attribute_name: 'cn',
  ldap_group_base_dn: 'ou=groups,dc=example,dc=com',
  ldap_group_membership_attribute: 'memberOf',
  ldap_group_search_filter: '(objectClass=groupOfNames)',
  ldap_group_search_scope: 0,
  ldap_scope: 1,
  ldap_search_dn: 'cn=harbor,dc=example,dc=com',
  ldap_search_password: 'ldap-pw',
  ldap_timeout: 10,
  ldap_uid: 'uid',
  ldap_url: 'ldaps://ldap.example.com',
  ldap_verify_cert: false,
};

const uaa: Configuration = {
  auth: { mode: 'UAA', uaa: { endpoint: 'https://uaa.example.com', clientID: 'harbor', clientSecretSecretRef: { name: 'uaa' }, verifyCert: true } },
};
const uaaJSON = { auth_mode: 'uaa_auth', uaa_client_id: 'harbor', uaa_client_secret: 'uaa-secret', uaa_endpoint: 'https://uaa.example.com', uaa_verify_cert: true };

const httpAuth: Configuration = {
  auth: {
    mode: 'HTTPAuthProxy',
    httpAuthProxy: {
      endpoint: 'https://auth.example.com/login',
      tokenReviewEndpoint: 'https://auth.example.com/review',
      adminGroups: ['admins', 'ops'],
      adminUsernames: ['alice'],
      verifyCert: false,
      skipSearch: true,
      serverCertificate: '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n',
    },
  },
  settings: {
    primary_auth_mode: 'true',
    scan_all_policy: '{"type":"daily"}',
    token_expiration: 60,
    quota_per_project_enable: 'true',
    pull_time_update_disable: 'true',
    pull_count_update_disable: 'true',
    pull_audit_log_disable: 'true',
    scanner_skip_update_pulltime: 'true',
    disabled_audit_log_event_types: 'create_user,delete_user',
  },
};
const httpJSON = {
  auth_mode: 'http_auth',
  disabled_audit_log_event_types: 'create_user,delete_user',
  http_authproxy_admin_groups: 'admins,ops',
  http_authproxy_admin_usernames: 'alice',
  http_authproxy_endpoint: 'https://auth.example.com/login',
  http_authproxy_server_certificate: '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n',
  http_authproxy_skip_search: true,
  http_authproxy_tokenreview_endpoint: 'https://auth.example.com/review',
  http_authproxy_verify_cert: false,
  primary_auth_mode: 'true',
  pull_audit_log_disable: 'true',
  pull_count_update_disable: 'true',
  pull_time_update_disable: 'true',
  quota_per_project_enable: 'true',
  scan_all_policy: '{"type":"daily"}',
  scanner_skip_update_pulltime: 'true',
  token_expiration: 60,
};

const cases: { name: string; configuration: Configuration | undefined; expected: Record<string, unknown> | undefined }[] = [
  { name: 'unset: no overwrite at all', configuration: undefined, expected: undefined },
  { name: 'empty: an empty overwrite', configuration: {}, expected: {} },
  { name: 'Database mode alone', configuration: { auth: { mode: 'Database' }, selfRegistration: true }, expected: { auth_mode: 'db_auth', self_registration: true } },
  { name: 'OIDC with every field, the basic settings and free-form items', configuration: oidc, expected: oidcJSON },
  { name: 'OIDC with the required fields only', configuration: { auth: { mode: 'OIDC', oidc: { endpoint: 'https://id', clientID: 'c', clientSecretSecretRef: { name: 'o', key: 'k' } } } }, expected: { auth_mode: 'oidc_auth', oidc_client_id: 'c', oidc_client_secret: 'oidc-secret', oidc_endpoint: 'https://id' } },
  { name: 'LDAP with every field', configuration: ldap, expected: ldapJSON },
  { name: 'LDAP without a search user: anonymous search', configuration: { auth: { mode: 'LDAP', ldap: { url: 'ldap://l', baseDN: 'dc=x' } } }, expected: { auth_mode: 'ldap_auth', ldap_base_dn: 'dc=x', ldap_url: 'ldap://l' } },
  { name: 'UAA', configuration: uaa, expected: uaaJSON },
  { name: 'HTTP auth proxy and the other free-form items', configuration: httpAuth, expected: httpJSON },
  { name: 'a mode section another mode does not use is ignored', configuration: { auth: { mode: 'Database', ldap: { url: 'ldap://l', baseDN: 'dc=x' } } }, expected: { auth_mode: 'db_auth' } },
  { name: 'quota Unlimited is -1', configuration: { defaultProjectQuota: 'Unlimited' }, expected: { storage_per_project: -1 } },
  { name: 'quota 1024Ti, the largest', configuration: { defaultProjectQuota: '1024Ti' }, expected: { storage_per_project: 1125899906842624 } },
  { name: 'quota 500M in decimal bytes', configuration: { defaultProjectQuota: '500M' }, expected: { storage_per_project: 500000000 } },
];

for (const c of cases) {
  test(c.name, () => {
    const json = configOverwriteJSON(c.configuration, secrets);
    if (c.expected === undefined) {
      assert.equal(json, '');
      assert.deepEqual(managedItems(c.configuration), []);
      return;
    }
    assert.deepEqual(JSON.parse(json), c.expected);
    // keys sorted, so the same spec always gives the same text (and checksum)
    assert.deepEqual(Object.keys(JSON.parse(json) as object), Object.keys(c.expected).sort());
    assert.deepEqual(managedItems(c.configuration), Object.keys(c.expected).sort(), 'status names exactly the items sent');
  });
}

test('the typed fields and the free-form items reach every user-scope item of Harbor, and nothing else', () => {
  const reached = new Set([oidc, ldap, uaa, httpAuth].flatMap((c) => managedItems(c)));
  for (const k of freeFormItems) reached.add(k);
  assert.deepEqual([...reached].sort(), [...userScopeItems].sort());
});

test('the free-form list has no item a typed field covers and no secret', () => {
  const typed = new Set([oidc, ldap, uaa, httpAuth].flatMap((c) => managedItems({ ...c, settings: {} })));
  for (const k of freeFormItems) assert.ok(!typed.has(k), k);
  for (const secret of ['oidc_client_secret', 'ldap_search_password', 'uaa_client_secret']) assert.ok(!(freeFormItems as readonly string[]).includes(secret));
});

test('the CRD allows in spec.configuration.settings exactly the free-form items', async () => {
  const { readFileSync } = await import('node:fs');
  const { parse } = await import('yaml');
  const crd = parse(readFileSync(new URL('../../crds/harborclusters.harbor-operator.dev.yaml', import.meta.url), 'utf8')) as {
    spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { properties: { configuration: { properties: { settings: { 'x-kubernetes-validations': { rule: string }[] } } } } } } } } }[] };
  };
  const rule = crd.spec.versions[0]?.schema.openAPIV3Schema.properties.spec.properties.configuration.properties.settings['x-kubernetes-validations'][0]?.rule ?? '';
  assert.deepEqual([...rule.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]), [...freeFormItems]);
});

test('secrets are JSON-escaped, never break out of their string', () => {
  const hostile = '","read_only":true,"x":"\n\u2028';
  const json = configOverwriteJSON(oidc, { ...secrets, oidcClientSecret: hostile });
  const parsed = JSON.parse(json) as Record<string, unknown>;
  assert.equal(parsed['oidc_client_secret'], hostile);
  assert.equal(parsed['read_only'], true, 'only the spec sets read_only');
  assert.equal(Object.keys(parsed).length, Object.keys(oidcJSON).length);
});

test('status names items, never values', () => {
  const names = managedItems(oidc).join(' ');
  for (const v of Object.values(secrets) as (string | undefined)[]) assert.ok(!names.includes(v ?? '-'));
  assert.ok(!names.includes('https://'));
});

const errors: { name: string; configuration: Configuration; secrets?: ConfigurationSecrets; expected: RegExp }[] = [
  { name: 'OIDC secret not read', configuration: oidc, secrets: {}, expected: /spec\.configuration\.auth\.oidc\.clientSecretSecretRef is set but its Secret was not read/ },
  { name: 'LDAP password not read', configuration: ldap, secrets: {}, expected: /spec\.configuration\.auth\.ldap\.searchPasswordSecretRef/ },
  { name: 'UAA secret not read', configuration: uaa, secrets: {}, expected: /spec\.configuration\.auth\.uaa\.clientSecretSecretRef/ },
  { name: 'a free-form item a typed field covers', configuration: { settings: { read_only: 'true' } }, expected: /spec\.configuration\.settings\.read_only is not one of the Harbor items it takes/ },
  { name: 'a secret as a free-form item', configuration: { settings: { oidc_client_secret: 'x' } }, expected: /spec\.configuration\.settings\.oidc_client_secret is not one/ },
  { name: 'a system item as a free-form item', configuration: { settings: { cache_enabled: 'true' } }, expected: /spec\.configuration\.settings\.cache_enabled is not one/ },
  // objects that never went through the API server (the CRD allows a string or an integer)
  { name: 'a free-form boolean', configuration: { settings: { notification_enable: true } } as unknown as Configuration, expected: /spec\.configuration\.settings\.notification_enable must be a string or an integer/ },
  { name: 'a free-form fraction', configuration: { settings: { session_timeout: 1.5 } }, expected: /session_timeout must be a string or an integer/ },
  { name: 'quota 0', configuration: { defaultProjectQuota: '0' }, expected: /defaultProjectQuota 0 is not Unlimited or a positive whole number/ },
  { name: 'quota above 1024Ti', configuration: { defaultProjectQuota: '2Pi' }, expected: /more than 1024Ti/ },
  { name: 'quota with a fraction of a byte', configuration: { defaultProjectQuota: '1.5' }, expected: /not Unlimited or a positive whole number/ },
];

for (const c of errors) {
  test(`refuses: ${c.name}`, () => {
    assert.throws(() => configOverwriteJSON(c.configuration, c.secrets ?? secrets), c.expected);
  });
}

test('quotaBytes', () => {
  assert.equal(quotaBytes('1Ki'), 1024);
  assert.equal(quotaBytes('1k'), 1000);
  assert.equal(quotaBytes('1Pi'), 1125899906842624);
});
