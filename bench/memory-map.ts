// Where a process's resident memory lies, from /proc/<pid>/smaps (Linux):
// the program's own files (node's code), the brk heap (glibc's main malloc
// arena), and anonymous mappings (V8's heap pages, other threads' malloc
// arenas, large Buffers). Used to tell V8's heap from what glibc keeps.
import { readFileSync } from 'node:fs';
import { round } from './env.ts';

export interface MemoryMap {
  /** RSS of file-backed mappings (the node binary, shared libraries), MiB. */
  filesMiB: number;
  /** RSS of [heap], the brk area of glibc's main arena, MiB. */
  brkHeapMiB: number;
  /** RSS of anonymous mappings, MiB. */
  anonymousMiB: number;
  /** Anonymous mappings by resident size, largest first (size and RSS in MiB). */
  largestAnonymous: { sizeMiB: number; rssMiB: number }[];
}

export function parseSmaps(text: string): MemoryMap {
  const out: MemoryMap = { filesMiB: 0, brkHeapMiB: 0, anonymousMiB: 0, largestAnonymous: [] };
  const anon: { sizeMiB: number; rssMiB: number }[] = [];
  let kind: 'file' | 'brk' | 'anon' = 'anon';
  let size = 0;
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+\s+\S+\s+\S+\s+\S+\s+\d+\s*(.*)$/.exec(line);
    if (head) {
      const name = (head[1] ?? '').trim();
      kind = name === '[heap]' ? 'brk' : name.startsWith('/') ? 'file' : 'anon';
      continue;
    }
    const field = /^(Size|Rss):\s+(\d+) kB/.exec(line);
    if (!field) continue;
    const mib = Number(field[2]) / 1024;
    if (field[1] === 'Size') {
      size = mib;
      continue;
    }
    if (kind === 'file') out.filesMiB += mib;
    else if (kind === 'brk') out.brkHeapMiB += mib;
    else {
      out.anonymousMiB += mib;
      anon.push({ sizeMiB: round(size, 1), rssMiB: round(mib, 1) });
    }
  }
  out.filesMiB = round(out.filesMiB, 1);
  out.brkHeapMiB = round(out.brkHeapMiB, 1);
  out.anonymousMiB = round(out.anonymousMiB, 1);
  out.largestAnonymous = anon.sort((a, b) => b.rssMiB - a.rssMiB).slice(0, 8);
  return out;
}

/** The map of a running process; null once it has exited. */
export function memoryMap(pid: number): MemoryMap | null {
  try {
    return parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  } catch {
    return null;
  }
}
