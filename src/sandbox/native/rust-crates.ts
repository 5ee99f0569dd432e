/**
 * The crates HumanEval-X Rust programs use (every declaration has `use rand::Rng; use regex::Regex; use md5;`),
 * built once per rustc from Debian's crate sources (librust-{rand,regex,md5}-dev in /usr/share/cargo/registry)
 * with Debian's cargo, offline, into <cacheDir>/rust-crates-<stamp>/ (rlibs that rustc links with --extern).
 * Built outside the jails: this is system-package code, never model code. Nothing is downloaded.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { toolchainStamp } from './toolchains.ts'
import { cacheKey, dirOnce } from './cache.ts'

const REGISTRY = '/usr/share/cargo/registry'
const CARGO_TOML = `[package]
name = "humaneval-crates"
version = "0.1.0"
edition = "2021"

[dependencies]
rand = "0.8"
regex = { version = "1", default-features = false, features = ["std", "unicode"] }
md5 = "0.7"
`
const CARGO_CONFIG = `[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "${REGISTRY}"

[net]
offline = true
`

export function ensureRustCrates (cacheDir: string): Promise<string> {
  const dir = join(cacheDir, `rust-crates-${cacheKey([toolchainStamp('rust'), CARGO_TOML]).slice(0, 16)}`)
  return dirOnce(dir, async () => await build(dir))
}

async function build (dir: string): Promise<string> {
  if (!existsSync('/usr/bin/cargo')) throw new Error('/usr/bin/cargo not found (apt-get install cargo; npm run setup)')
  const work = `${dir}.build-${randomBytes(4).toString('hex')}`
  mkdirSync(join(work, 'src'), { recursive: true })
  mkdirSync(join(work, '.cargo'))
  writeFileSync(join(work, 'Cargo.toml'), CARGO_TOML)
  writeFileSync(join(work, 'src', 'lib.rs'), '')
  writeFileSync(join(work, '.cargo', 'config.toml'), CARGO_CONFIG)
  try {
    await new Promise<void>((resolve, reject) => {
      execFile('/usr/bin/cargo', ['build', '--offline', '--quiet'], {
        cwd: work,
        timeout: 600_000,
        env: { PATH: '/usr/bin:/bin', HOME: work, CARGO_HOME: join(work, '.cargo'), RUSTC: '/usr/bin/rustc', CARGO_BUILD_JOBS: '1' }
      }, (err, _o, stderr) => err ? reject(new Error(`cargo build failed: ${String(stderr).slice(-800)}`)) : resolve())
    })
    const deps = join(work, 'target', 'debug', 'deps')
    const out = `${dir}.tmp-${randomBytes(4).toString('hex')}`
    mkdirSync(out, { mode: 0o755 })
    for (const f of readdirSync(deps)) {
      if (!/\.(rlib|rmeta)$/.test(f)) continue
      copyFileSync(join(deps, f), join(out, f))
      chmodSync(join(out, f), 0o644)
    }
    try { renameSync(out, dir) } catch { rmSync(out, { recursive: true, force: true }) }
    return dir
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
