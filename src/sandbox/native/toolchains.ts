/**
 * The compiled languages: where each toolchain lives (Debian paths, resolved once), how a program is
 * compiled inside the compile jail (/build/src → /build/out) and how the cached artifact is run (/box).
 * A language is available when every file it needs exists; nothing is looked up on PATH.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs'
import cppMeta from '../../../sandboxes/cpp/metadata.json' with { type: 'json' }
import cMeta from '../../../sandboxes/c/metadata.json' with { type: 'json' }
import javaMeta from '../../../sandboxes/java/metadata.json' with { type: 'json' }
import goMeta from '../../../sandboxes/go/metadata.json' with { type: 'json' }
import rustMeta from '../../../sandboxes/rust/metadata.json' with { type: 'json' }

export const NATIVE_LANGUAGES = ['cpp', 'cpp17', 'cpp20', 'c', 'java', 'go', 'rust'] as const
export type NativeLanguage = typeof NATIVE_LANGUAGES[number]
export type NativeFamily = 'cpp' | 'c' | 'java' | 'go' | 'rust'

export function isNative (language: string): language is NativeLanguage {
  return (NATIVE_LANGUAGES as readonly string[]).includes(language)
}

export function familyOf (language: NativeLanguage): NativeFamily {
  return language === 'cpp17' || language === 'cpp20' ? 'cpp' : language
}

export interface NativeMeta {
  limits: { time_ms: number, memory_mb: number, output_bytes: number, fsize_bytes: number, nofile: number, wall_factor: number, wall_extra_ms: number }
  compile: { time_ms: number, memory_mb: number, output_bytes: number, binary_bytes: number }
  jail: { nproc: number, tmpfs_bytes: number }
}

export const NATIVE_META: Record<NativeFamily, NativeMeta> = { cpp: cppMeta, c: cMeta, java: javaMeta, go: goMeta, rust: rustMeta }

/** Program kinds: a stdin/stdout program, a program whose test code is part of it (script tests), the
 * solution with a generated call driver (call tests: src/rewards/code/native-call.ts), or (C only) the
 * syntax-only pass whose artifact is gcc's -aux-info prototype list, from which the C call driver is generated. */
export type ProgramKind = 'stdio' | 'script' | 'call' | 'prototype'

/** C call tests: the file (in the build's box) where the prototype pass writes gcc's -aux-info. */
export const C_PROTOTYPES_FILE = 'prototypes.txt'

/** Java call tests: the driver's class (appended to the solution's file), the one the JVM runs. */
export const JAVA_CALL_DRIVER = 'RvCallDriver__'
/** Go call tests: the driver is a second file of package main. */
export const GO_CALL_DRIVER_FILE = 'rv_call_driver.go'

export interface CompilePlan {
  /** Source file name under /build/src. */
  file: string
  /** Compiler argv (absolute path first). */
  argv: string[]
  env: Record<string, string>
  /** Extra read-only binds for the compile jail: [host path, jail path]. */
  binds: Array<[string, string]>
  /** A second source file next to `file` (Go call tests: the driver). */
  extraFile?: string
}

export interface RunPlan {
  argv: string[]
  env: Record<string, string>
  binds: Array<[string, string]>
  /** Extra memory headroom (MiB) the cgroup grants over memory_mb (the JVM's own memory outside its heap). */
  headroomMb: number
  /** Fallback without a cgroup: address space granted over memory_mb (the JVM's and Go's reservations). */
  asExtraMb: number
}

const BASE_ENV = { PATH: '/usr/bin:/bin', HOME: '/tmp', TMPDIR: '/tmp', LANG: 'C.UTF-8' }
export const GO_ENV = { ...BASE_ENV, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOCACHE: '/tmp/gocache', GOTMPDIR: '/tmp', GOFLAGS: '-p=1', CGO_ENABLED: '0' }
const TESTIFY = '/usr/share/gocode/src/github.com/stretchr/testify'
export const JAVA_CONF = '/etc/java-17-openjdk'

function real (p: string): string | null {
  try { return realpathSync(p) } catch { return null }
}

interface Paths { gxx: string | null, gcc: string | null, javac: string | null, java: string | null, go: string | null, rustc: string | null }
let paths: Paths | undefined
function tools (): Paths {
  paths ??= {
    gxx: real('/usr/bin/g++'),
    gcc: real('/usr/bin/gcc'),
    javac: real('/usr/bin/javac'),
    java: real('/usr/bin/java'),
    go: existsSync('/usr/bin/go') ? '/usr/bin/go' : null,
    rustc: existsSync('/usr/bin/rustc') ? '/usr/bin/rustc' : null
  }
  return paths
}

/** Why `language` cannot run here (missing toolchain, with the package to install), or null. */
export function toolchainMissing (language: NativeLanguage): string | null {
  const t = tools()
  switch (familyOf(language)) {
    case 'cpp': return t.gxx ? null : 'g++ not found (apt-get install g++; npm run setup)'
    case 'c': return t.gcc ? null : 'gcc not found (apt-get install gcc; npm run setup)'
    case 'java':
      if (!t.javac || !t.java) return 'javac/java not found (apt-get install openjdk-17-jdk-headless; npm run setup)'
      return existsSync(JAVA_CONF) ? null : `${JAVA_CONF} not found (openjdk-17-jre-headless is incomplete)`
    case 'go':
      if (!t.go) return 'go not found (apt-get install golang-go; npm run setup)'
      return existsSync(TESTIFY) ? null : 'testify not found (apt-get install golang-github-stretchr-testify-dev; npm run setup)'
    case 'rust':
      if (!t.rustc) return '/usr/bin/rustc not found (apt-get install rustc; npm run setup)'
      return t.gcc ? null : 'gcc (the linker rustc calls) not found'
  }
}

/** A string that changes when the toolchain does (part of every cache key). */
export function toolchainStamp (language: NativeLanguage): string {
  const t = tools()
  const files = { cpp: [t.gxx], c: [t.gcc], java: [t.javac, t.java], go: [t.go && real(t.go)], rust: [t.rustc && real(t.rustc)] }[familyOf(language)]
  return files.map(f => {
    if (!f) return 'none'
    const s = statSync(f)
    return `${f}:${s.size}:${Math.floor(s.mtimeMs)}`
  }).join(',')
}

/** Java: the class to run (and the file name javac wants): the public class, else the one with main. */
export function javaMainClass (source: string): string {
  const pub = /\bpublic\s+(?:final\s+|abstract\s+)*class\s+([A-Za-z_$][\w$]*)/.exec(source)
  if (pub?.[1]) return pub[1]
  const classes = [...source.matchAll(/\bclass\s+([A-Za-z_$][\w$]*)/g)]
  const main = source.search(/\bstatic\s+(?:public\s+)?void\s+main\s*\(/)
  let best = 'Main'
  for (const m of classes) if ((m.index ?? 0) < main && m[1]) best = m[1]
  return best
}

/** `dep`: the Rust crates dir (script and call tests) or the warm Go build cache (go-cache.ts), bound read-only. */
export function compilePlan (language: NativeLanguage, kind: ProgramKind, source: string, dep: string | null): CompilePlan {
  const t = tools()
  const fam = familyOf(language)
  if (fam === 'cpp' || fam === 'c') {
    const std = fam === 'c' ? '-std=gnu17' : language === 'cpp20' ? '-std=c++20' : '-std=c++17'
    const file = fam === 'c' ? 'main.c' : 'main.cpp'
    const libs = /#\s*include\s*[<"]openssl\//.test(source) ? ['-lcrypto'] : []
    if (fam === 'c') libs.push('-lm')
    if (kind === 'prototype') {
      return { file, argv: [t.gcc ?? 'missing', std, '-fsyntax-only', '-fmax-errors=20', '-fdiagnostics-color=never', '-aux-info', `/build/out/${C_PROTOTYPES_FILE}`, `/build/src/${file}`], env: BASE_ENV, binds: [] }
    }
    return {
      file,
      // script and call tests (HumanEval-X) compile as upstream's evaluator does, at -O0: at -O2 a mutant that falls
      // off the end of a non-void function (undefined behaviour) can pass; stdio (competition) programs get -O2.
      argv: [(fam === 'c' ? t.gcc : t.gxx) ?? 'missing', std, kind === 'stdio' ? '-O2' : '-O0', '-pipe', '-fmax-errors=20', '-fdiagnostics-color=never', '-o', '/build/out/prog', `/build/src/${file}`, ...libs],
      env: BASE_ENV,
      binds: []
    }
  }
  if (fam === 'java') {
    const file = `${javaMainClass(source)}.java`
    return {
      file,
      argv: [t.javac ?? 'missing', '-J-XX:+UseSerialGC', '-J-XX:TieredStopAtLevel=1', '-J-XX:-UsePerfData', '-J-Xmx768m', '-encoding', 'UTF-8', '-Xmaxerrs', '20', '-d', '/build/out', `/build/src/${file}`],
      env: BASE_ENV,
      binds: [[JAVA_CONF, JAVA_CONF]]
    }
  }
  if (fam === 'go') {
    const file = kind === 'script' ? 'main_test.go' : 'main.go'
    const argv = kind === 'script'
      ? [t.go ?? 'missing', 'test', '-c', '-vet=off', '-o', '/build/out/prog', `/build/src/${file}`]
      : [t.go ?? 'missing', 'build', '-o', '/build/out/prog', `/build/src/${file}`]
    const env = dep === null ? GO_ENV : { ...GO_ENV, GOCACHE: '/gocache' }
    const binds: Array<[string, string]> = dep === null ? [] : [[dep, '/gocache']]
    if (kind === 'call') return { file, argv: [...argv, `/build/src/${GO_CALL_DRIVER_FILE}`], env, binds, extraFile: GO_CALL_DRIVER_FILE }
    return { file, argv, env, binds }
  }
  const argv = [t.rustc ?? 'missing', '--edition', '2021', '-C', `opt-level=${kind === 'stdio' ? 2 : 0}`, '-C', 'debuginfo=0', '-C', `linker=${t.gcc ?? 'missing'}`, '--error-format', 'short', '-o', '/build/out/prog', '/build/src/main.rs']
  const binds: Array<[string, string]> = []
  if (kind !== 'stdio') {
    if (kind === 'script') argv.push('--test')
    if (dep !== null) {
      binds.push([dep, '/crates'])
      argv.push('-L', 'dependency=/crates')
      for (const f of readdirSync(dep)) {
        const m = /^lib(rand|regex|md5)-[0-9a-f]+\.rlib$/.exec(f)
        if (m) argv.push('--extern', `${m[1]}=/crates/${f}`)
      }
    }
  }
  return { file: 'main.rs', argv, env: BASE_ENV, binds }
}

export function runPlan (language: NativeLanguage, kind: ProgramKind, source: string, memoryMb: number): RunPlan {
  const t = tools()
  const fam = familyOf(language)
  if (fam === 'java') {
    const heap = Math.max(16, Math.floor(memoryMb * 0.75))
    return {
      argv: [t.java ?? 'missing', '-XX:+UseSerialGC', '-XX:-UsePerfData', '-Xss64m', `-Xmx${heap}m`, '-XX:ReservedCodeCacheSize=64m', '-ea', ...(kind === 'call' ? ['--add-opens=java.base/java.io=ALL-UNNAMED'] : []), '-cp', '/box', kind === 'call' ? JAVA_CALL_DRIVER : javaMainClass(source)],
      env: { ...BASE_ENV, MALLOC_ARENA_MAX: '2' },
      binds: [[JAVA_CONF, JAVA_CONF]],
      headroomMb: 0,
      asExtraMb: 2048
    }
  }
  if (fam === 'go') {
    return { argv: kind === 'script' ? ['/box/prog', '-test.count=1'] : ['/box/prog'], env: { ...BASE_ENV, GOMAXPROCS: '2' }, binds: [], headroomMb: 0, asExtraMb: 512 }
  }
  if (fam === 'rust') {
    return { argv: ['/box/prog'], env: { ...BASE_ENV, RUST_TEST_THREADS: '1', RUST_BACKTRACE: '0' }, binds: [], headroomMb: 0, asExtraMb: 0 }
  }
  return { argv: ['/box/prog'], env: BASE_ENV, binds: [], headroomMb: 0, asExtraMb: 0 }
}
