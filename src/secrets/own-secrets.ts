// Checks of Harbor's own secrets when the user brings them (spec.secrets):
// what Harbor needs of each value. A problem is told without the value.
import { createPrivateKey } from 'node:crypto';

export const ownSecretFields = ['secretKey', 'tokenKey', 'coreSecret', 'jobserviceSecret', 'registryHttpSecret'] as const;
export type OwnSecretField = (typeof ownSecretFields)[number];

/** The PEM type core's token service reads (goharbor/harbor v2.15.2 src/core/service/token/authutils.go: libtrust.UnmarshalPrivateKeyPEM). */
const PKCS1_HEADER = '-----BEGIN RSA PRIVATE KEY-----';

/** Why Harbor cannot use this value, or undefined. Never contains the value. */
export function ownSecretProblem(field: OwnSecretField, value: string): string | undefined {
  switch (field) {
    case 'secretKey': {
      // Harbor's prepare refuses any other length (goharbor/harbor v2.15.2
      // make/photon/prepare/utils/cert.py get_secret_key); core uses the
      // file's bytes as an AES key (src/common/utils/encrypt.go
      // ReversibleEncrypt: aes.NewCipher([]byte(key))).
      const bytes = Buffer.byteLength(value, 'utf8');
      return bytes === 16 ? undefined : `holds ${bytes} bytes; Harbor's secret key is exactly 16 (a trailing newline counts)`;
    }
    case 'tokenKey': {
      if (!value.trimStart().startsWith(PKCS1_HEADER)) return 'is not a PKCS#1 PEM RSA private key (BEGIN RSA PRIVATE KEY), the only form core reads';
      try {
        const key = createPrivateKey(value);
        return key.asymmetricKeyType === 'rsa' ? undefined : 'is not an RSA private key';
      } catch {
        return 'is not a readable PEM RSA private key';
      }
    }
    case 'coreSecret':
    case 'jobserviceSecret':
    case 'registryHttpSecret': {
      // The chart's schema (charts/harbor/values.schema.json) demands 16 or
      // more, what Harbor's prepare and harbor-helm generate.
      const n = Array.from(value).length;
      if (n < 16) return `holds ${n} characters; at least 16 are needed`;
      return /[\r\n]/.test(value) ? 'contains a line break (it is sent in HTTP headers and environment variables)' : undefined;
    }
  }
}
