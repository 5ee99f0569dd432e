/**
 * Host ids for the jails of a service that does not run as root. A jail maps two host ids (the slot's judge
 * and solution); only root may map ids that are not its own, so a non-root service uses the subordinate ids
 * /etc/subuid and /etc/subgid give its user, mapped by Debian's setuid newuidmap/newgidmap (package uidmap).
 * Every check here is one the kernel or newuidmap would make later: failing it up front gives the reason.
 */
import { accessSync, constants, readFileSync } from 'node:fs'
import { userInfo } from 'node:os'

export const NEWUIDMAP = '/usr/bin/newuidmap'
export const NEWGIDMAP = '/usr/bin/newgidmap'

/** A range of subordinate ids: uid u of the range pairs with gid u + gidDelta. */
export interface SubIds { base: number, end: number, gidDelta: number }

interface Entry { start: number, count: number }

/** The first entry of `file` for this user (by name or by uid), or null. */
function entryOf (file: string, name: string, uid: number): Entry | null {
  let text = ''
  try { text = readFileSync(file, 'utf8') } catch { return null }
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':')
    if ((who === name || who === String(uid)) && /^\d+$/.test(start ?? '') && /^\d+$/.test(count ?? '')) {
      return { start: Number(start), count: Number(count) }
    }
  }
  return null
}

function readNumber (file: string): number | null {
  try { return Number(readFileSync(file, 'utf8').trim()) } catch { return null }
}

/** Why this host lets no unprivileged user create a user namespace, or null. */
function usernsRefused (): string | null {
  if (readNumber('/proc/sys/user/max_user_namespaces') === 0) return 'user namespaces are off (/proc/sys/user/max_user_namespaces is 0)'
  if (readNumber('/proc/sys/kernel/unprivileged_userns_clone') === 0) return 'unprivileged user namespaces are off (sysctl kernel.unprivileged_userns_clone=0)'
  if (readNumber('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === 1) {
    return 'AppArmor restricts unprivileged user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=1)'
  }
  return null
}

/** Soft and hard limit of one line of /proc/self/limits ('Max processes'), Infinity for unlimited, or null. */
function ownLimit (name: string): [number, number] | null {
  let text = ''
  try { text = readFileSync('/proc/self/limits', 'utf8') } catch { return null }
  const m = new RegExp(`^${name}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(text)
  if (m === null) return null
  const n = (v: string): number => v === 'unlimited' ? Infinity : Number(v)
  return [n(m[1] as string), n(m[2] as string)]
}

/**
 * Why this service's RLIMIT_NPROC cannot hold `slots` jails of `nproc` processes each, or null. Jail processes
 * cannot raise a hard limit (that takes CAP_SYS_RESOURCE outside their user namespace), and the kernel counts
 * them against the service user's own limit too (the user namespaces are its).
 */
export function nprocRefused (slots: number, nproc: number): string | null {
  const lim = ownLimit('Max processes')
  if (lim === null) return null
  const [soft, hard] = lim
  const need = slots * (nproc + 3)
  if (hard < nproc || soft < need) {
    return `the service's RLIMIT_NPROC (soft ${soft}, hard ${hard}) is below what ${slots} python jail slots need (hard >= ${nproc}, soft >= ${need}: ${nproc} solution processes and 3 of the jail's own per slot, beside the service's own)`
  }
  return null
}

/**
 * The subordinate ids of the service's user with room for `count` ids, or a string saying why the judge /
 * solution separation cannot hold for a non-root service here (the Python pool then refuses to start).
 */
export function subordinateIds (count: number): SubIds | string {
  const why = 'the python sandbox runs the judge and the solution as two uids of their own per slot; a service not running as root maps them from its subordinate ids'
  const refused = usernsRefused()
  if (refused !== null) return `${why}, but ${refused}`
  for (const tool of [NEWUIDMAP, NEWGIDMAP]) {
    try { accessSync(tool, constants.X_OK) } catch { return `${why}, but ${tool} is missing (apt-get install uidmap)` }
  }
  const { username, uid } = userInfo()
  const u = entryOf('/etc/subuid', username, uid)
  const g = entryOf('/etc/subgid', username, uid)
  if (u === null || g === null) {
    return `${why}, but user ${username} has no range in ${u === null ? '/etc/subuid' : '/etc/subgid'} (usermod --add-subuids N-M --add-subgids N-M ${username})`
  }
  const size = Math.min(u.count, g.count)
  if (size < count) return `${why}, but user ${username} has ${size} subordinate ids and ${count} are needed`
  return { base: u.start, end: u.start + size, gidDelta: g.start - u.start }
}
