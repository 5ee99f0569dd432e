// Self-test of the JavaScript sandbox: run through the verifier (stdio form) with stdin "ping", it prints OK.
// It checks from inside: no process/Node APIs, require serves only assert (and the stdin shims).
/* eslint-disable n/no-deprecated-api */
const problems = []
const input = require('fs').readFileSync(0, 'utf8').trim()
if (input !== 'ping') problems.push('stdin')
const assert = require('node:assert')
try { assert.deepStrictEqual([1, { a: 2 }], [1, { a: 2 }]) } catch (e) { problems.push('assert') }
try { require('child_process'); problems.push('child_process') } catch (e) {}
if (typeof process.binding === 'function' || typeof process.env.PATH === 'string') problems.push('process is real')
if (typeof setTimeout !== 'undefined' || typeof fetch !== 'undefined') problems.push('timers or fetch present')
console.log(problems.length === 0 ? 'OK' : 'FAIL ' + problems.join('; '))
