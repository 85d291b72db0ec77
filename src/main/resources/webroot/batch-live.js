// @ts-check
import { getBatch, streamUrl } from './api.js';
import { openStream } from './event-stream.js';

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
const RECONNECT_MS = 2000;
const STREAM_RETRY_MS = 30000;

/**
 * Follows one batch: server-sent events (read with fetch, so the bearer header goes along) while
 * the stream works, reconnecting after two seconds with Last-Event-ID when it ends, polling every
 * two seconds whenever it is down, and trying a fresh stream every thirty seconds after one was
 * refused. Only states newer than the last one shown are passed on. Call the returned function to
 * stop.
 * @param {string} batchId
 * @param {LiveHandlers} handlers
 * @returns {() => void}
 */
export function watchBatch(batchId, handlers) {
  let version = -1;
  /** @type {(() => void) | null} */
  let closeStream = null;
  let open = false;
  /** @type {string | null} */
  let lastEventId = null;
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
    if (!stopped && pollTimer === undefined && !open) {
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
    closeStream = openStream(streamUrl(batchId), lastEventId, {
      onOpen: () => {
        open = true;
        stopPolling();
        handlers.onMode('live');
      },
      onEvent: (event) => {
        if (event.id) {
          lastEventId = event.id;
        }
        if (event.event === 'batch') {
          deliver(/** @type {Batch} */ (JSON.parse(event.data)));
        } else if (event.event === 'transition') {
          handlers.onTransition(/** @type {BatchEvent} */ (JSON.parse(event.data)));
        }
      },
      onClose: (refusedByServer) => {
        open = false;
        closeStream = null;
        startPolling();
        if (!stopped && retryTimer === undefined) {
          retryTimer = window.setTimeout(connect, refusedByServer ? STREAM_RETRY_MS : RECONNECT_MS);
        }
      },
    });
  };

  handlers.onMode('connecting');
  connect();
  return () => {
    stopped = true;
    closeStream?.();
    stopPolling();
    window.clearTimeout(retryTimer);
  };
}
