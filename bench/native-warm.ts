/**
 * Per-run cost of a jail for compiled programs: one trivial C program (reads a line, prints it) run N times in
 * turn in one slot, in the slot's warm jail, in a fresh jail per run (CODE_NATIVE_WARM=false's path), and bare
 * (the prebuilt binary spawned from Node, as bench/native.ts's bare pass). Prints p50/p95 ms per run of each.
 * node --import tsx bench/native-warm.ts   (NATIVE_WARM_RUNS=N, default 200)
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NativeRuntime } from '../src/sandbox/native/runtime.ts'
import { NATIVE_META } from '../src/sandbox/native/toolchains.ts'
import { processLimits } from '../src/rewards/code/native-run.ts'
import { median, percentile, table } from './lib.ts'

const ECHO = '#include <stdio.h>\nint main (void) { char b[64]; if (fgets(b, sizeof b, stdin)) fputs(b, stdout); return 0; }\n'

async function timeRuns (n: number, once: (i: number) => Promise<string>): Promise<number[]> {
  const ms: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    const out = await once(i)
    ms.push(performance.now() - t0)
    if (out !== `run ${i}\n`) throw new Error(`run ${i}: unexpected output ${JSON.stringify(out)}`)
  }
  return ms
}

function bare (path: string, stdin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(path, [], { stdio: ['pipe', 'pipe', 'ignore'] })
    let out = ''
    c.stdout.on('data', (b: Buffer) => { out += b.toString('utf8') })
    c.on('error', reject)
    c.on('close', () => { resolve(out) })
    c.stdin.end(stdin)
  })
}

export async function benchNativeWarm (): Promise<string> {
  const n = Number(process.env.NATIVE_WARM_RUNS ?? 200)
  const dir = mkdtempSync(join(tmpdir(), 'rv-bench-native-warm-'))
  const warm = new NativeRuntime({ slots: 1, uidBase: 67900, checkerUidBase: 67950, cacheDir: dir, cacheBytes: 1 << 30, warm: true })
  const fresh = new NativeRuntime({ slots: 1, uidBase: 68000, checkerUidBase: 68050, cacheDir: dir, cacheBytes: 1 << 30, warm: false })
  try {
    const b = await warm.build('c', 'stdio', ECHO)
    if (b.outcome.kind !== 'ok') throw new Error(`build: ${JSON.stringify(b.outcome)}`)
    const box = b.outcome.box
    const limits = processLimits('c', NATIVE_META.c.limits)
    const rows: Array<[string, number[]]> = []
    rows.push(['bare (spawned from Node)', await timeRuns(n, async i => await bare(join(box, 'prog'), `run ${i}\n`))])
    rows.push(['warm jail', await timeRuns(n, async i => (await warm.run('c', 'stdio', ECHO, box, `run ${i}\n`, limits)).stdout)])
    rows.push(['fresh jail per run', await timeRuns(n, async i => (await fresh.run('c', 'stdio', ECHO, box, `run ${i}\n`, limits)).stdout)])
    return table(`native jail per-run cost (${n} runs each, one slot)`, ['path', 'ms per run p50', 'p95'],
      rows.map(([name, ms]) => [name, median(ms).toFixed(2), percentile(ms, 95).toFixed(2)]))
  } finally {
    warm.close()
    fresh.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1]?.endsWith('native-warm.ts') === true) console.log(await benchNativeWarm())
