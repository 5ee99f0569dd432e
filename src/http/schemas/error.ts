/** The error reply every route declares for its 4xx/5xx statuses. */
import { Type } from 'typebox'

export const ErrorReplySchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'Stable RWD_ERR_* code; see openapi/README.md.' }),
  error: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String({ description: 'JSON pointer of the offending request field.' }))
}, { $id: 'ErrorReply' })

/** Response schemas for the error statuses a body-taking route can answer. */
export const errorReplies = {
  400: ErrorReplySchema,
  413: ErrorReplySchema,
  415: ErrorReplySchema,
  500: ErrorReplySchema,
  503: ErrorReplySchema
}
