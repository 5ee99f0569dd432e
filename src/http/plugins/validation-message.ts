/**
 * Turns ajv's errors into one message that names the field: a union's failed discriminator first
 * ("must be one of "math", "none""), else the deepest error (the most specific).
 */
interface AjvError { instancePath: string, keyword: string, message?: string, params: Record<string, unknown> }

export function describeValidation (list: AjvError[], context: string): { message: string, field: string } {
  // A union's discriminator (several `const` alternatives at one place) says more than any branch's errors.
  const consts = new Map<string, string[]>()
  for (const e of list) {
    if (e.keyword === 'const') consts.set(pointerOf(e), [...(consts.get(pointerOf(e)) ?? []), JSON.stringify(e.params.allowedValue)])
  }
  const union = [...consts.entries()].find(([, values]) => values.length > 1)
  if (union !== undefined) {
    const [field, values] = union
    return { message: `${context} field ${field} must be one of ${values.join(', ')}`, field }
  }
  const deepest = [...list].sort((a, b) => depth(b) - depth(a))[0]
  if (deepest === undefined) return { message: `${context}: invalid`, field: '' }
  const field = pointerOf(deepest)
  let what: string
  if (deepest.keyword === 'required') what = 'is required'
  else if (deepest.keyword === 'additionalProperties') what = 'is not a known field'
  else if (deepest.keyword === 'discriminator') what = `has no known value ${JSON.stringify(deepest.params.tagValue)}`
  else what = deepest.message ?? 'is invalid'
  return { message: `${context}${field === '' ? '' : ` field ${field}`} ${what}`, field }
}

function pointerOf (e: AjvError): string {
  if (e.keyword === 'discriminator') return `${e.instancePath}/${String(e.params.tag)}`
  if (e.keyword === 'required') return `${e.instancePath}/${String(e.params.missingProperty)}`
  if (e.keyword === 'additionalProperties') return `${e.instancePath}/${String(e.params.additionalProperty)}`
  return e.instancePath
}

function depth (e: AjvError): number {
  return pointerOf(e).split('/').length
}
