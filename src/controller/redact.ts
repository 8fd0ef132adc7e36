// Messages that may reach status, events or logs pass through here: any
// secret value they contain is replaced, so a helm error that echoes a value
// cannot leak it.
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  return out;
}
