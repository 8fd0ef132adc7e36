// spec.configuration → Harbor's configuration items, as core reads them from
// CONFIG_OVERWRITE_JSON. Pure: the same spec and secrets give the same JSON.
//
// Facts (goharbor/harbor v2.15.2; the same at v2.13.0 … v2.15.1):
// - src/core/main.go: after config.Load, core calls configCtl.Ctl.OverwriteConfig
//   at every start and exits (log.Fatalf) when it fails.
// - src/controller/config/controller.go OverwriteConfig: json.Unmarshal of
//   CONFIG_OVERWRITE_JSON into map[string]any, then UpdateUserConfigs (the API's
//   own validation: every key an item of the metadata list of user scope,
//   values parsed by the item's type; skip_audit_log_database true needs an
//   endpoint; a reachable audit log endpoint; a new auth_mode only while no
//   user but admin exists), then every item is read-only in the UI and API.
//   skip_audit_log_database and the ldap_group_* items are read with Go type
//   assertions (.(bool), .(string)): they are sent as JSON booleans and strings.
// - src/lib/config/metadata/metadatalist.go and src/common/const.go: the item
//   names and types used below.
// - src/pkg/config/manager.go ValidateCfg and src/lib/quota_storage_limit.go:
//   storage_per_project is -1 or 1 … 1125899906842624 bytes (1024 TiB).
import type { Configuration, ConfigurationAuthLdap } from '../api/types.generated.ts';
import { parseQuantity } from '../diff/quantity.ts';

/** The value of one configuration item in CONFIG_OVERWRITE_JSON. */
export type SettingValue = string | number | boolean | Record<string, string>;

/** The secrets spec.configuration references, resolved by the I/O layer. */
export interface ConfigurationSecrets {
  oidcClientSecret?: string | undefined;
  ldapSearchPassword?: string | undefined;
  uaaClientSecret?: string | undefined;
}

/** Where a secret item's value comes from (its field in ConfigurationSecrets). */
class SecretSlot {
  readonly secret: keyof ConfigurationSecrets;
  readonly field: string;
  constructor(secret: keyof ConfigurationSecrets, field: string) {
    this.secret = secret;
    this.field = field;
  }
}

type Entry = [name: string, value: SettingValue | SecretSlot];

/** auth_mode values (src/common/const.go DBAuth, LDAPAuth, OIDCAuth, UAAAuth, HTTPAuth). */
const authModes = { Database: 'db_auth', LDAP: 'ldap_auth', OIDC: 'oidc_auth', UAA: 'uaa_auth', HTTPAuthProxy: 'http_auth' } as const;

/** LDAP scopes (src/common/const.go LDAPScopeBase, LDAPScopeOnelevel, LDAPScopeSubtree). */
const ldapScopes = { Base: 0, OneLevel: 1, Subtree: 2 } as const;

/** project_creation_restriction values (src/common/const.go ProCrtRestrEveryone, ProCrtRestrAdmOnly). */
const projectCreation = { Everyone: 'everyone', AdminOnly: 'adminonly' } as const;

/**
 * The user-scope items of Harbor's metadata list no typed field covers and
 * that hold no secret: what spec.configuration.settings takes (the CRD's CEL
 * rule has the same list).
 */
export const freeFormItems = [
  'banner_message',
  'disabled_audit_log_event_types',
  'notification_enable',
  'primary_auth_mode',
  'pull_audit_log_disable',
  'pull_count_update_disable',
  'pull_time_update_disable',
  'quota_per_project_enable',
  'scan_all_policy',
  'scanner_skip_update_pulltime',
  'session_timeout',
  'token_expiration',
] as const;

/** The largest storage quota Harbor takes, in bytes (src/lib/quota_storage_limit.go: 1024 TiB). */
const maxQuota = 1024n ** 5n;

/** Bytes of spec.configuration.defaultProjectQuota, or -1 for Unlimited. */
export function quotaBytes(q: string): number {
  if (q === 'Unlimited') return -1;
  const parsed = parseQuantity(q);
  if (!parsed || parsed.scale > 0 || parsed.numerator <= 0n) throw new Error(`spec.configuration.defaultProjectQuota ${q} is not Unlimited or a positive whole number of bytes`);
  const bytes = parsed.numerator * 10n ** BigInt(-parsed.scale);
  if (bytes > maxQuota) throw new Error(`spec.configuration.defaultProjectQuota ${q} is more than 1024Ti, Harbor's largest quota`);
  return Number(bytes);
}

const set = <T>(out: Entry[], name: string, v: T | undefined, f: (x: T) => SettingValue = (x) => x as SettingValue): void => {
  if (v !== undefined) out.push([name, f(v)]);
};

function ldapEntries(l: ConfigurationAuthLdap, out: Entry[]): void {
  set(out, 'ldap_url', l.url);
  set(out, 'ldap_base_dn', l.baseDN);
  set(out, 'ldap_search_dn', l.searchDN);
  if (l.searchPasswordSecretRef) out.push(['ldap_search_password', new SecretSlot('ldapSearchPassword', 'spec.configuration.auth.ldap.searchPasswordSecretRef')]);
  set(out, 'ldap_filter', l.filter);
  set(out, 'ldap_uid', l.uid);
  set(out, 'ldap_scope', l.scope, (s) => ldapScopes[s]);
  set(out, 'ldap_timeout', l.timeoutSeconds);
  set(out, 'ldap_verify_cert', l.verifyCert);
  const g = l.group ?? {};
  set(out, 'ldap_group_base_dn', g.baseDN);
  set(out, 'ldap_group_search_filter', g.filter);
  set(out, 'ldap_group_attribute_name', g.attributeName);
  set(out, 'ldap_group_search_scope', g.scope, (s) => ldapScopes[s]);
  set(out, 'ldap_group_admin_dn', g.adminDN);
  set(out, 'ldap_group_membership_attribute', g.membershipAttribute);
  set(out, 'ldap_group_attach_parallel', g.attachParallel);
}

/** Every item spec.configuration sets, in the order of the spec; secrets as slots. */
function entries(c: Configuration): Entry[] {
  const out: Entry[] = [];
  const auth = c.auth;
  if (auth) {
    out.push(['auth_mode', authModes[auth.mode]]);
    const o = auth.mode === 'OIDC' ? auth.oidc : undefined;
    if (o) {
      set(out, 'oidc_name', o.name);
      set(out, 'oidc_endpoint', o.endpoint);
      set(out, 'oidc_client_id', o.clientID);
      out.push(['oidc_client_secret', new SecretSlot('oidcClientSecret', 'spec.configuration.auth.oidc.clientSecretSecretRef')]);
      // src/lib/config/userconfig.go OIDCSetting: the scope is split at commas.
      set(out, 'oidc_scope', o.scopes, (s) => s.join(','));
      set(out, 'oidc_groups_claim', o.groupsClaim);
      set(out, 'oidc_admin_group', o.adminGroup);
      set(out, 'oidc_group_filter', o.groupFilter);
      set(out, 'oidc_user_claim', o.userClaim);
      set(out, 'oidc_verify_cert', o.verifyCert);
      set(out, 'oidc_auto_onboard', o.autoOnboard);
      set(out, 'oidc_logout', o.logout);
      // StringToStringMapType: a JSON object of strings.
      set(out, 'oidc_extra_redirect_parms', o.extraRedirectParams, (m) => ({ ...m }));
    }
    if (auth.mode === 'LDAP' && auth.ldap) ldapEntries(auth.ldap, out);
    const u = auth.mode === 'UAA' ? auth.uaa : undefined;
    if (u) {
      set(out, 'uaa_endpoint', u.endpoint);
      set(out, 'uaa_client_id', u.clientID);
      out.push(['uaa_client_secret', new SecretSlot('uaaClientSecret', 'spec.configuration.auth.uaa.clientSecretSecretRef')]);
      set(out, 'uaa_verify_cert', u.verifyCert);
    }
    const h = auth.mode === 'HTTPAuthProxy' ? auth.httpAuthProxy : undefined;
    if (h) {
      set(out, 'http_authproxy_endpoint', h.endpoint);
      set(out, 'http_authproxy_tokenreview_endpoint', h.tokenReviewEndpoint);
      // src/lib/config/userconfig.go HTTPAuthProxySetting: both lists are split at commas.
      set(out, 'http_authproxy_admin_groups', h.adminGroups, (s) => s.join(','));
      set(out, 'http_authproxy_admin_usernames', h.adminUsernames, (s) => s.join(','));
      set(out, 'http_authproxy_verify_cert', h.verifyCert);
      set(out, 'http_authproxy_skip_search', h.skipSearch);
      set(out, 'http_authproxy_server_certificate', h.serverCertificate);
    }
  }
  set(out, 'self_registration', c.selfRegistration);
  set(out, 'project_creation_restriction', c.projectCreationRestriction, (p) => projectCreation[p]);
  set(out, 'robot_token_duration', c.robotAccounts?.tokenDurationDays);
  set(out, 'robot_name_prefix', c.robotAccounts?.namePrefix);
  set(out, 'storage_per_project', c.defaultProjectQuota, quotaBytes);
  set(out, 'read_only', c.readOnly);
  set(out, 'audit_log_forward_endpoint', c.auditLog?.forwardEndpoint);
  set(out, 'skip_audit_log_database', c.auditLog?.skipDatabase);
  for (const [k, v] of Object.entries(c.settings ?? {})) {
    if (!(freeFormItems as readonly string[]).includes(k)) {
      throw new Error(`spec.configuration.settings.${k} is not one of the Harbor items it takes (${freeFormItems.join(', ')})`);
    }
    // The CRD takes a string or an integer (x-kubernetes-int-or-string): Harbor
    // parses every item from its text (src/pkg/config/store/store.go Update:
    // metadata.NewCfgValue(key, utils.GetStrValueOfAnyType(value))).
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isSafeInteger(v))) {
      throw new Error(`spec.configuration.settings.${k} must be a string or an integer`);
    }
    out.push([k, v]);
  }
  return out;
}

const byName = (a: Entry, b: Entry): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** The Harbor items spec.configuration manages, sorted (what status shows; no values). */
export function managedItems(c: Configuration | undefined): string[] {
  return c ? entries(c).map(([name]) => name).sort() : [];
}

/**
 * CONFIG_OVERWRITE_JSON for spec.configuration: its items with their values,
 * keys sorted; '' when the section is unset (core then reads no overwrite
 * and Harbor's settings stay editable in its UI).
 */
export function configOverwriteJSON(c: Configuration | undefined, secrets: ConfigurationSecrets): string {
  if (!c) return '';
  const items: Record<string, SettingValue> = {};
  for (const [name, value] of entries(c).sort(byName)) {
    if (value instanceof SecretSlot) {
      const v = secrets[value.secret];
      if (v === undefined) throw new Error(`${value.field} is set but its Secret was not read`);
      items[name] = v;
    } else {
      items[name] = value;
    }
  }
  return JSON.stringify(items);
}
