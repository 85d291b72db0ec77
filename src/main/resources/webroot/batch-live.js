// @ts-check
import { getBatch, streamUrl } from './api.js';

/** @typedef {import('./types.js').Batch} Batch */
/** @typedef {import('./types.js').BatchEvent} BatchEvent */

/**
 * How the page learns of changes: `live` over the event stream, `polling` while the stream is
 * down, `offline` when neither answers.
 * @typedef {'connecting' | 'live' | 'polling' | 'offline'} LiveMode
 */

/**
 * @typedef {object} LiveHandlers
 * @property {(batch: Batch) => void} onBatch a newer state of the batch
 * @property {(event: BatchEvent) => void} onTransition the batch's status moved
 * @property {(mode: LiveMode) => void} onMode how updates arrive now
 */

const POLL_MS = 2000;
const STREAM_RETRY_MS = 30000;

/**
 * Follows one batch: server-sent events while the stream works (the browser reconnects by itself
 * and resumes with Last-Event-ID), polling every two seconds whenever it is down, and a fresh
 * stream now and then after the browser gave up on it. Only states newer than the last one shown
 * are passed on. Call the returned function to stop.
 * @param {string} batchId
 * @param {LiveHandlers} handlers
 * @returns {() => void}
 */
export function watchBatch(batchId, handlers) {
  let version = -1;
  /** @type {EventSource | null} */
  let source = null;
  /** @type {number | undefined} */
  let pollTimer;
  /** @type {number | undefined} */
  let retryTimer;
  let stopped = false;

  /** @param {Batch} batch */
  const deliver = (batch) => {
    if (batch.version > version) {
      version = batch.version;
      handlers.onBatch(batch);
    }
  };

  const poll = async () => {
    pollTimer = undefined;
    try {
      deliver(await getBatch(batchId));
      handlers.onMode('polling');
    } catch {
      handlers.onMode('offline');
    }
    if (!stopped && pollTimer === undefined && source?.readyState !== EventSource.OPEN) {
      pollTimer = window.setTimeout(poll, POLL_MS);
    }
  };

  const startPolling = () => {
    if (pollTimer === undefined && !stopped) {
      pollTimer = window.setTimeout(poll, 0);
    }
  };

  const stopPolling = () => {
    window.clearTimeout(pollTimer);
    pollTimer = undefined;
  };

  const connect = () => {
    retryTimer = undefined;
    if (stopped) {
      return;
    }
    const stream = new EventSource(streamUrl(batchId));
    source = stream;
    stream.addEventListener('open', () => {
      stopPolling();
      handlers.onMode('live');
    });
    stream.addEventListener('batch', (event) => {
      deliver(/** @type {Batch} */ (JSON.parse(/** @type {MessageEvent<string>} */ (event).data)));
    });
    stream.addEventListener('transition', (event) => {
      handlers.onTransition(/** @type {BatchEvent} */ (JSON.parse(/** @type {MessageEvent<string>} */ (event).data)));
    });
    stream.addEventListener('error', () => {
      startPolling();
      if (stream.readyState === EventSource.CLOSED && retryTimer === undefined && !stopped) {
        retryTimer = window.setTimeout(connect, STREAM_RETRY_MS);
      }
    });
  };

  handlers.onMode('connecting');
  connect();
  return () => {
    stopped = true;
    source?.close();
    stopPolling();
    window.clearTimeout(retryTimer);
  };
}
