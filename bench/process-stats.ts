// Memory and CPU of a process from /proc (Linux): peak resident set (VmHWM),
// current RSS, CPU seconds of the process itself (utime + stime) and of the
// children it waited for (cutime + cstime: the operator's helm runs).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clkTck: number | undefined;
function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

export interface ProcStats {
  peakRssMiB: number;
  rssMiB: number;
  cpuSeconds: number;
  childCpuSeconds: number;
}

export function procStats(pid: number): ProcStats | undefined {
  let status: string;
  let stat: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  // Fields after the command name (which may hold spaces) in parentheses; utime is field 14.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (n: number): number => Number(rest[n - 3] ?? 0);
  const hz = ticksPerSecond();
  return {
    peakRssMiB: kib('VmHWM') / 1024,
    rssMiB: kib('VmRSS') / 1024,
    cpuSeconds: (field(14) + field(15)) / hz,
    childCpuSeconds: (field(16) + field(17)) / hz,
  };
}

/** CPU seconds used since `before` (same process). */
export function cpuSince(now: ProcStats | undefined, before: ProcStats | undefined): { cpu: number; childCpu: number } {
  return {
    cpu: (now?.cpuSeconds ?? 0) - (before?.cpuSeconds ?? 0),
    childCpu: (now?.childCpuSeconds ?? 0) - (before?.childCpuSeconds ?? 0),
  };
}

/** CPU seconds the whole machine spent busy (all CPUs, from /proc/stat), and its CPU count. */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is inside user)
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
    return busy / ticksPerSecond();
  } catch {
    return 0;
  }
}
