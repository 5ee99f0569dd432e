/**
 * Turns ajv's errors into one message that names the field: the deepest error wins (the most specific),
 * and alternatives of a union at the same place are merged ("must be one of 'math', 'none'").
 */
interface AjvError { instancePath: string, keyword: string, message?: string, params: Record<string, unknown> }

export function describeValidation (list: AjvError[], context: string): { message: string, field: string } {
  const deepest = [...list].sort((a, b) => depth(b) - depth(a))[0]
  if (deepest === undefined) return { message: `${context}: invalid`, field: '' }
  const field = pointerOf(deepest)
  const here = list.filter(e => pointerOf(e) === field)
  const consts = here.filter(e => e.keyword === 'const').map(e => JSON.stringify(e.params.allowedValue))
  let what: string
  if (consts.length > 1) what = `must be one of ${consts.join(', ')}`
  else if (deepest.keyword === 'required') what = 'is required'
  else if (deepest.keyword === 'additionalProperties') what = 'is not a known field'
  else what = deepest.message ?? 'is invalid'
  return { message: `${context}${field === '' ? '' : ` field ${field}`} ${what}`, field }
}

function pointerOf (e: AjvError): string {
  if (e.keyword === 'required') return `${e.instancePath}/${String(e.params.missingProperty)}`
  if (e.keyword === 'additionalProperties') return `${e.instancePath}/${String(e.params.additionalProperty)}`
  return e.instancePath
}

function depth (e: AjvError): number {
  return pointerOf(e).split('/').length
}
