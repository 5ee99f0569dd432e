/**
 * End tokens at the end of a completion. Trainers that decode with `skip_special_tokens=False` (OpenRLHF) hand
 * the service `...</answer><|im_end|>` or `...</answer></s>\n`; the strict template would reject every one of
 * them. The scorer removes these tokens from the end of every completion before any reward reads it (one place,
 * every endpoint). Only trailing tokens go, possibly repeated and separated by whitespace; a token in the middle
 * of the text stays (it is the policy's text, and the format reward judges it).
 */

/** The default `strip_tokens`: the end-of-turn and end-of-text tokens of the common chat templates. */
export const DEFAULT_STRIP_TOKENS: readonly string[] = Object.freeze([
  '<|im_end|>', // Qwen, ChatML
  '<|endoftext|>', // Qwen, GPT-2
  '<|eot_id|>', // Llama 3
  '<|end_of_text|>', // Llama 3
  '</s>', // Llama 2, Mistral
  '<｜end▁of▁sentence｜>' // DeepSeek-R1 (full-width bars, U+2581)
])

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0xfeff

/**
 * The completion without its trailing end tokens. Whitespace between or after them goes with them; the text is
 * returned unchanged (whitespace included) when it does not end in one. Linear in the number of tokens removed
 * times the number of tokens configured.
 */
export function stripTrailingTokens (text: string, tokens: readonly string[]): string {
  if (tokens.length === 0) return text
  let cut = text.length // where the kept text ends
  let end = text.length
  for (;;) {
    let e = end
    while (e > 0 && isSpace(text.charCodeAt(e - 1))) e--
    const last = text.charCodeAt(e - 1)
    let token: string | undefined
    for (const t of tokens) { // the last character first: a cheap miss for most tokens
      if (t.length > 0 && t.length <= e && t.charCodeAt(t.length - 1) === last && text.startsWith(t, e - t.length)) { token = t; break }
    }
    if (token === undefined) break
    end = e - token.length
    cut = end
  }
  return cut === text.length ? text : text.slice(0, cut)
}
