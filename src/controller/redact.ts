// Messages that may reach status, events or logs pass through here: any
// secret value they contain is replaced, so a helm error that echoes a value
// cannot leak it.
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  // Longest first, so a secret that contains another is not half-replaced.
  const list = [...secrets].filter((s): s is string => !!s && s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of list) out = out.split(s).join('[redacted]');
  return out;
}
