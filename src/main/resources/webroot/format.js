// @ts-check
/** How batch and item states, counts and times read on the page. */

/** @typedef {import('./types.js').BatchStatus} BatchStatus */
/** @typedef {import('./types.js').ItemStatus} ItemStatus */
/** @typedef {import('./types.js').Counts} Counts */

/** @type {Record<BatchStatus, string>} */
export const BATCH_STATUS_LABELS = {
  running: 'Running',
  paused: 'Paused',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
  expired: 'Expired',
};

/** @type {Record<ItemStatus, string>} */
export const ITEM_STATUS_LABELS = {
  pending: 'Pending',
  in_progress: 'In flight',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** @type {BatchStatus[]} */
export const BATCH_STATUSES = ['running', 'paused', 'completed', 'cancelled', 'failed', 'expired'];

/** @type {ItemStatus[]} */
export const ITEM_STATUSES = ['pending', 'in_progress', 'succeeded', 'failed', 'cancelled'];

/** @param {BatchStatus} status */
export function isTerminal(status) {
  return (
    status === 'completed' || status === 'cancelled' || status === 'failed' || status === 'expired'
  );
}

const numbers = new Intl.NumberFormat();
/** @param {number} n */
export function formatNumber(n) {
  return numbers.format(n);
}

const times = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
/** @param {string | null | undefined} iso */
export function formatTime(iso) {
  if (!iso) {
    return '—';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : times.format(date);
}

/**
 * Items that have an outcome: succeeded, failed or cancelled.
 * @param {Counts} counts
 */
export function settled(counts) {
  return counts.succeeded + counts.failed + counts.cancelled;
}

/**
 * "12 of 40 done" with the failures, as one line.
 * @param {Counts} counts
 */
export function summarizeCounts(counts) {
  const parts = [`${formatNumber(settled(counts))} of ${formatNumber(counts.total)} done`];
  if (counts.inProgress > 0) {
    parts.push(`${formatNumber(counts.inProgress)} in flight`);
  }
  if (counts.failed > 0) {
    parts.push(`${formatNumber(counts.failed)} failed`);
  }
  if (counts.cancelled > 0) {
    parts.push(`${formatNumber(counts.cancelled)} cancelled`);
  }
  return parts.join(' · ');
}

/**
 * "1 item" / "3 items".
 * @param {number} n
 * @param {string} noun
 */
export function plural(n, noun) {
  return `${formatNumber(n)} ${noun}${n === 1 ? '' : 's'}`;
}
