/** The answer is not well-formed math (unbalanced braces, unknown command, …). */
export class ParseError extends Error {}
