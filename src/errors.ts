/**
 * The one table of typed errors. Every code is RWD_ERR_<AREA>_<WHAT>, stable once published;
 * a retired code is never reused. Each entry carries its HTTP status; the key is the class name.
 * test/unit/errors.test.ts checks that every code is documented in openapi/README.md.
 */
import createError from '@fastify/error'

export const errors = {
  ConfigInvalid: createError('RWD_ERR_CONFIG_INVALID', 'configuration key %s is invalid: %s', 500),
  RequestInvalid: createError('RWD_ERR_REQUEST_INVALID', '%s', 400),
  RequestBadJson: createError('RWD_ERR_REQUEST_BAD_JSON', 'request body is not valid JSON: %s', 400),
  RequestBadString: createError('RWD_ERR_REQUEST_BAD_STRING', '%s', 400),
  RequestBadEncoding: createError('RWD_ERR_REQUEST_BAD_ENCODING', '%s', 415),
  RequestTooLarge: createError('RWD_ERR_REQUEST_TOO_LARGE', '%s', 413),
  NotFound: createError('RWD_ERR_NOT_FOUND', 'route %s %s not found', 404),
  Internal: createError('RWD_ERR_INTERNAL', 'internal error; see the service log for request %s', 500),
  Overloaded: createError('RWD_ERR_OVERLOADED', 'service overloaded: %s', 503),
  QueueUnavailable: createError('RWD_ERR_QUEUE_UNAVAILABLE', 'the rollout queue is unavailable: Redis at %s is unreachable (%s); /v1/score still works', 503),
  QueueFull: createError('RWD_ERR_QUEUE_FULL', 'the rollout queue holds %s rollouts, at or over QUEUE_MAX_DEPTH (%s); retry after %s s', 429),
  RolloutConflict: createError('RWD_ERR_ROLLOUT_CONFLICT', 'rollout id %s was already submitted with a different body', 409),
  RolloutNotFound: createError('RWD_ERR_ROLLOUT_NOT_FOUND', 'rollout %s not found (never submitted, or its result expired after ROLLOUT_RETENTION_S)', 404),
  LeaseExpired: createError('RWD_ERR_LEASE_EXPIRED', 'lease_expired: lease %s expired or was given back; its groups are delivered again', 409),
  LeaseNotFound: createError('RWD_ERR_LEASE_NOT_FOUND', 'lease %s not found (never issued, or its record expired)', 404),
  Unauthorized: createError('RWD_ERR_UNAUTHORIZED', 'missing or unknown API key: send Authorization: Bearer KEY (or Basic auth with the key as password)', 401),
  Forbidden: createError('RWD_ERR_FORBIDDEN', 'API key %s lacks the scope this needs: %s', 403),
  Busy: createError('RWD_ERR_BUSY', 'too much work queued: %s; retry after %s s', 429),
  RequestTimeout: createError('RWD_ERR_REQUEST_TIMEOUT', 'the request body did not arrive within %s (%s ms)', 408)
} as const

export type ErrorName = keyof typeof errors

/** Errors that point at a request field carry it in `field` (a JSON pointer, e.g. /groups/0/completions). */
export function withField<E extends Error> (err: E, field: string): E & { field: string } {
  return Object.assign(err, { field })
}
