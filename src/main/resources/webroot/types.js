// @ts-check
/**
 * The shapes of Sluice's API, as openapi.yaml documents them. Type declarations only; import them
 * with `@typedef {import('./types.js').Batch} Batch`.
 */

/** @typedef {'running' | 'paused' | 'completed' | 'cancelled' | 'failed' | 'expired'} BatchStatus */
/** @typedef {'pending' | 'in_progress' | 'succeeded' | 'failed' | 'cancelled'} ItemStatus */
/** @typedef {'pause' | 'resume' | 'cancel' | 'retry-failed'} Command */

/**
 * @typedef {object} Counts
 * @property {number} total
 * @property {number} pending
 * @property {number} inProgress
 * @property {number} succeeded
 * @property {number} failed
 * @property {number} cancelled
 */

/**
 * Which commands the batch's state allows now; computed by the server's state machine.
 * @typedef {object} Controls
 * @property {boolean} pause
 * @property {boolean} resume
 * @property {boolean} cancel
 * @property {boolean} retryFailed
 */

/**
 * @typedef {object} Batch
 * @property {string} id
 * @property {string} name
 * @property {BatchStatus} status
 * @property {string | null} statusReason
 * @property {string} model
 * @property {number} concurrency
 * @property {number} maxAttempts
 * @property {Counts} counts
 * @property {Controls} controls
 * @property {number} version
 * @property {string} createdAt
 * @property {string} updatedAt
 * @property {string | null} finishedAt
 * @property {string | null} [deadline]
 */

/**
 * @typedef {object} ItemError
 * @property {string} code
 * @property {string} message
 */

/**
 * @typedef {object} Usage
 * @property {number} promptTokens
 * @property {number} completionTokens
 * @property {string} finishReason
 */

/** @typedef {Record<string, string | number | boolean>} Vars */

/**
 * @typedef {object} Item
 * @property {string} id
 * @property {number} seq
 * @property {ItemStatus} status
 * @property {{prompt?: string, vars?: Vars}} input
 * @property {string | null} output
 * @property {ItemError | null} error
 * @property {number} attempts
 * @property {Usage | null} usage
 * @property {boolean} finishedAfterCancel
 * @property {string | null} startedAt
 * @property {string | null} finishedAt
 */

/**
 * One transition of a batch's status.
 * @typedef {object} BatchEvent
 * @property {BatchStatus | 'created'} from
 * @property {BatchStatus} to
 * @property {string} actor
 * @property {string | null} reason
 * @property {string} at
 */

/**
 * @template T
 * @typedef {object} Page
 * @property {T[]} data
 * @property {string | null} nextCursor
 */

/**
 * An RFC 9457 problem, as every error of the API is.
 * @typedef {object} Problem
 * @property {string} type
 * @property {string} title
 * @property {number} status
 * @property {string} detail
 * @property {string} [instance]
 * @property {string} [batchId]
 * @property {BatchStatus} [batchStatus]
 * @property {Command} [command]
 * @property {string} [field]
 * @property {{field: string, detail: string}[]} [errors]
 */

/**
 * A new item: its own prompt, or variables for the batch's template.
 * @typedef {{id: string, prompt: string} | {id: string, vars: Vars}} NewItem
 */

/**
 * @typedef {object} NewBatch
 * @property {string} name
 * @property {string} [model]
 * @property {number} [concurrency]
 * @property {number} [maxAttempts]
 * @property {string} [template]
 * @property {NewItem[]} items
 */

export {};
