import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { Progress, fmtTime } from '../../../src/cli/progress.ts'

function sink (tty: boolean): Writable & { isTTY?: boolean, text: () => string } {
  let buf = ''
  const w = new Writable({ write (chunk: Buffer, _enc, cb) { buf += chunk.toString(); cb() } }) as Writable & { isTTY?: boolean, text: () => string }
  w.isTTY = tty
  w.text = () => buf
  return w
}

const counts = { bytes: 500, skippedBytes: 0, groups: 5, samples: 50, bad: 1, skipped: 0 }

test('progress on a terminal: a bar redrawn in place, with percent, rate and ETA', async () => {
  const s = sink(true)
  const p = new Progress({ totalBytes: 1000, stream: s, everySeconds: 10, label: 'score' })
  await new Promise(resolve => setTimeout(resolve, 20))
  p.update(counts, true)
  p.done()
  const out = s.text()
  assert.ok(out.startsWith('\r\u001b[K'), JSON.stringify(out))
  assert.match(out, /score \[#{12}\.{12}\] 50\.0% {2}5 groups {2}50 samples {2}[\d.]+ samples\/s {2}ETA \d+:\d\d {2}1 bad\n$/)
})

test('progress elsewhere: plain lines, at most one per interval', () => {
  const s = sink(false)
  const p = new Progress({ totalBytes: 1000, stream: s, everySeconds: 60, label: 'score' })
  p.update(counts)
  p.update(counts)
  p.update({ ...counts, bytes: 1000 }, true)
  p.done()
  const lines = s.text().trimEnd().split('\n')
  assert.equal(lines.length, 2)
  assert.match(lines[0] ?? '', /^score: 50\.0% /)
  assert.match(lines[1] ?? '', /^score: 100\.0% .*ETA 0:00/)
  assert.ok(!s.text().includes('\r') && !s.text().includes('\u001b'))
})

test('fmtTime', () => {
  assert.equal(fmtTime(0), '0:00')
  assert.equal(fmtTime(75.4), '1:15')
  assert.equal(fmtTime(3 * 3600 + 62), '3:01:02')
  assert.equal(fmtTime(NaN), '--:--')
})
