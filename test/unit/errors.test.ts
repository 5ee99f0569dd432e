import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { errors } from '../../src/errors.ts'

test('every error code is RWD_ERR_*, unique, carries an HTTP status and is documented', () => {
  const doc = readFileSync(new URL('../../openapi/README.md', import.meta.url), 'utf8')
  const seen = new Set<string>()
  for (const [name, Ctor] of Object.entries(errors)) {
    const err = new Ctor('a', 'b')
    assert.match(err.code, /^RWD_ERR_[A-Z][A-Z_]*[A-Z]$/, name)
    assert.ok(!seen.has(err.code), `duplicate ${err.code}`)
    seen.add(err.code)
    assert.ok(Number.isInteger(err.statusCode) && (err.statusCode ?? 0) >= 400, name)
    assert.ok(doc.includes(`\`${err.code}\``), `${err.code} is not documented in openapi/README.md`)
  }
})
