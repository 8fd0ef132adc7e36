// The node options of the operator image's ENTRYPOINT (deploy/Dockerfile),
// so that the bench and the demo run the operator as the image does.
import { readFileSync } from 'node:fs';

const dockerfile = new URL('../../deploy/Dockerfile', import.meta.url);

/** The ENTRYPOINT as an argv: ["node", ...options, "/app/dist/main.js"]. */
export function imageEntrypoint(text: string = readFileSync(dockerfile, 'utf8')): string[] {
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(text)?.[1];
  if (!line) throw new Error('deploy/Dockerfile has no ENTRYPOINT in exec form');
  const argv = JSON.parse(line) as unknown;
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string') || argv[0] !== 'node' || argv.length < 2) {
    throw new Error(`deploy/Dockerfile: the ENTRYPOINT is not ["node", …, main]: ${line}`);
  }
  return argv;
}

/** What the image passes to node before its script. */
export function imageNodeOptions(text?: string): string[] {
  return imageEntrypoint(text).slice(1, -1);
}
