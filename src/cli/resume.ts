/**
 * Resuming `score`: reads an existing output file, collects the ids of the groups already scored and the
 * configuration hash they were scored with, and cuts off a last line that was cut short by an interrupted
 * run (every line is written with its newline in one call, so a line without one is incomplete).
 * A corrupt line in the middle of the file stops the resume rather than guessing.
 */
import { createReadStream, existsSync, statSync, truncateSync } from 'node:fs'
import { createInterface } from 'node:readline'

export interface ResumeState {
  doneIds: Set<string>
  /** config_hash of the lines already written (null: empty or new file). */
  configHash: string | null
  /** Complete lines kept. */
  lines: number
  /** Bytes removed from the end (a truncated last line). */
  truncatedBytes: number
}

export class ResumeError extends Error {}

export async function scanOutput (path: string): Promise<ResumeState> {
  const state: ResumeState = { doneIds: new Set(), configHash: null, lines: 0, truncatedBytes: 0 }
  if (!existsSync(path)) return state
  const size = statSync(path).size
  let offset = 0
  let lineNo = 0
  let pending: { lineNo: number, text: string } | null = null
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity })
  for await (const line of rl) {
    if (pending !== null) accept(state, pending.lineNo, pending.text, path)
    lineNo++
    const bytes = Buffer.byteLength(line) + 1
    if (offset + bytes > size) { pending = null; break } // the last line, without its newline
    offset += bytes
    pending = { lineNo, text: line }
  }
  if (pending !== null) accept(state, pending.lineNo, pending.text, path)
  if (offset < size) {
    state.truncatedBytes = size - offset
    truncateSync(path, offset)
  }
  return state
}

function accept (state: ResumeState, lineNo: number, text: string, path: string): void {
  if (text.trim() === '') return
  let value: unknown
  try { value = JSON.parse(text) } catch {
    throw new ResumeError(`${path}:${lineNo} is not valid JSON; it is not a truncated last line, so the output is not resumable (move it aside or fix it)`)
  }
  const v = value as { id?: unknown, config_hash?: unknown }
  if (typeof v.id !== 'string') throw new ResumeError(`${path}:${lineNo} has no string id; not an output of reward-verifier score`)
  if (typeof v.config_hash === 'string') {
    if (state.configHash !== null && state.configHash !== v.config_hash) {
      throw new ResumeError(`${path}:${lineNo} was scored with config ${v.config_hash}, earlier lines with ${state.configHash}`)
    }
    state.configHash = v.config_hash
  }
  state.doneIds.add(v.id)
  state.lines++
}
