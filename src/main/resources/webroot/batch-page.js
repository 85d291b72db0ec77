// @ts-check
import { ApiError, downloadResults, getBatch, resultsUrl, sendCommand } from './api.js';
import { BatchControls } from './batch-controls.js';
import { watchBatch } from './batch-live.js';
import { el, replaceChildren } from './dom.js';
import { credential } from './session.js';
import { BATCH_STATUS_LABELS, formatTime, summarizeCounts } from './format.js';
import { ItemsTable } from './items-table.js';
import { ProgressBar } from './progress-bar.js';
import { TransitionHistory } from './transition-history.js';

/** @typedef {import('./types.js').Batch} Batch */
/** @typedef {import('./batch-live.js').LiveMode} LiveMode */

/** @type {Record<LiveMode, string>} */
const MODE_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  polling: 'Updating every 2 seconds',
  offline: 'Sluice is not answering; showing the last known state',
};

/** Items are re-read at most this often while the batch changes. */
const ITEMS_REFRESH_MS = 1500;

/**
 * One batch: its status and progress, the controls, the items, the history and the results
 * download, kept up to date without a reload.
 */
export class BatchPage {
  /** @param {string} batchId */
  constructor(batchId) {
    this.batchId = batchId;
    /** @type {Batch | null} */
    this.batch = null;
    this.title = el('h1', { tabindex: -1, 'data-testid': 'batch-name' }, ['Batch']);
    this.status = el('span', { class: 'badge', 'data-testid': 'batch-status' });
    this.reason = el('span', { class: 'muted', 'data-testid': 'status-reason' });
    this.lastTransition = el('span', { 'data-testid': 'last-transition' });
    this.mode = el('span', { class: 'live-mode', 'data-testid': 'live-mode' }, [MODE_TEXT.connecting]);
    this.summary = el('p', { class: 'summary', 'data-testid': 'counts-summary' });
    this.meta = el('dl', { class: 'meta' });
    this.progress = new ProgressBar({ legend: true, label: 'Batch progress' });
    this.controls = new BatchControls({
      send: (command) => this.send(command),
      refresh: () => this.reload(),
    });
    this.items = new ItemsTable(batchId);
    this.history = new TransitionHistory(batchId);
    this.download = el(
      'a',
      { class: 'button', href: resultsUrl(batchId), download: `sluice-${batchId}-results.jsonl`, 'data-testid': 'download-results' },
      ['Download results (JSONL)'],
    );
    // With a credential the download goes through fetch, which can send the bearer header.
    this.download.addEventListener('click', (event) => {
      if (credential()) {
        event.preventDefault();
        downloadResults(batchId).catch((error) => this.fail(error));
      }
    });
    this.problem = el('p', { class: 'problem', role: 'alert', hidden: true });
    this.itemsDue = 0;
    /** @type {number | undefined} */
    this.itemsTimer = undefined;
    /** @type {(() => void) | null} */
    this.stopWatching = null;

    this.body = el('div', { hidden: true }, [
      el('section', { class: 'card', 'aria-label': 'Progress' }, [this.summary, this.progress.element]),
      this.controls.element,
      el('div', { class: 'actions-row' }, [this.download]),
      this.meta,
      this.items.element,
      this.history.element,
    ]);
    this.element = el('article', { class: 'batch-page' }, [
      el('p', {}, [el('a', { href: '#/' }, ['← All batches'])]),
      el('header', { class: 'page-head' }, [
        this.title,
        el('p', { class: 'status-line' }, [
          el('span', { 'aria-live': 'polite' }, [this.status, ' ', this.reason]),
          ' ',
          el('span', { class: 'muted' }, ['Last change: ', this.lastTransition]),
          ' ',
          this.mode,
        ]),
      ]),
      this.problem,
      this.body,
    ]);
  }

  async start() {
    try {
      this.show(await getBatch(this.batchId));
    } catch (error) {
      this.fail(error);
      return;
    }
    void this.items.start();
    await this.history.refresh();
    this.showLastTransition();
    this.stopWatching = watchBatch(this.batchId, {
      onBatch: (batch) => this.show(batch),
      onTransition: () => void this.history.refresh().then(() => this.showLastTransition()),
      onMode: (mode) => {
        this.mode.dataset['mode'] = mode;
        replaceChildren(this.mode, [MODE_TEXT[mode]]);
      },
    });
  }

  dispose() {
    this.stopWatching?.();
    window.clearTimeout(this.itemsTimer);
  }

  /** @param {import('./types.js').Command} command */
  async send(command) {
    const batch = await sendCommand(this.batchId, command);
    this.show(batch);
    void this.history.refresh().then(() => this.showLastTransition());
    return batch;
  }

  async reload() {
    this.show(await getBatch(this.batchId));
    await this.history.refresh();
    this.showLastTransition();
  }

  /** @param {Batch} batch */
  show(batch) {
    if (this.batch && batch.version < this.batch.version) {
      return; // an older answer that arrived late
    }
    const first = this.batch === null;
    const statusChanged = !first && this.batch?.status !== batch.status;
    this.batch = batch;
    this.body.hidden = false;
    document.title = `${batch.name} · Sluice`;
    replaceChildren(this.title, [batch.name]);
    this.status.className = `badge status-${batch.status}`;
    replaceChildren(this.status, [BATCH_STATUS_LABELS[batch.status]]);
    replaceChildren(this.reason, [batch.statusReason ? `(${batch.statusReason})` : '']);
    replaceChildren(this.summary, [summarizeCounts(batch.counts)]);
    this.progress.update(batch.counts);
    this.controls.update(batch);
    replaceChildren(this.meta, [
      ...term('Model', batch.model),
      ...term('Concurrency', String(batch.concurrency)),
      ...term('Attempts per item', String(batch.maxAttempts)),
      ...term('Created', formatTime(batch.createdAt)),
      ...(batch.deadline ? term('Deadline', formatTime(batch.deadline)) : []),
      ...term('Finished', formatTime(batch.finishedAt)),
    ]);
    if (statusChanged) {
      void this.history.refresh().then(() => this.showLastTransition());
    }
    if (!first) {
      this.scheduleItems(); // the first state comes with the first page of items already
    }
  }

  showLastTransition() {
    const at = this.history.lastTransitionAt ?? this.batch?.updatedAt ?? null;
    replaceChildren(this.lastTransition, [
      at ? el('time', { datetime: at }, [formatTime(at)]) : '—',
    ]);
  }

  /** Re-reads the items after a change, at most every ITEMS_REFRESH_MS. */
  scheduleItems() {
    if (this.itemsTimer !== undefined) {
      return;
    }
    const wait = Math.max(0, this.itemsDue - Date.now());
    this.itemsTimer = window.setTimeout(() => {
      this.itemsTimer = undefined;
      this.itemsDue = Date.now() + ITEMS_REFRESH_MS;
      void this.items.refresh();
    }, wait);
  }

  /** @param {unknown} error */
  fail(error) {
    const text =
      error instanceof ApiError && error.status === 404
        ? 'There is no such batch. It may have been created on another Sluice, or the link is wrong.'
        : `Could not load the batch: ${error instanceof Error ? error.message : String(error)}`;
    replaceChildren(this.title, ['Batch not found']);
    replaceChildren(this.problem, [text]);
    this.problem.hidden = false;
  }
}

/**
 * @param {string} name
 * @param {string} value
 */
function term(name, value) {
  return [el('dt', {}, [name]), el('dd', {}, [value])];
}
