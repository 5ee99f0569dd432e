/**
 * Completion length for the length-based rewards: the caller's `length_tokens` when given, else an
 * approximate token count, ceil(UTF-8 bytes / 4) (BPE tokenizers average about 4 bytes a token on English).
 */
export function approxTokens (text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4)
}
