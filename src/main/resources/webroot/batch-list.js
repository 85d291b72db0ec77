// @ts-check
import { listBatches } from './api.js';
import { el, replaceChildren, uniqueId } from './dom.js';
import { BATCH_STATUSES, BATCH_STATUS_LABELS, formatTime, isTerminal, summarizeCounts } from './format.js';
import { ProgressBar } from './progress-bar.js';

/** @typedef {import('./types.js').Batch} Batch */
/** @typedef {import('./types.js').BatchStatus} BatchStatus */

const PAGE = 20;
const REFRESH_MS = 3000;

/**
 * The caller's batches, newest first, a page at a time, filterable by status. While a batch on the
 * page is live the page is re-read every few seconds.
 */
export class BatchList {
  constructor() {
    /** @type {BatchStatus | null} */
    this.status = null;
    /** Cursors of the pages before this one; the first page has none. @type {(string | null)[]} */
    this.previous = [];
    /** @type {string | null} */
    this.cursor = null;
    /** @type {string | null} */
    this.nextCursor = null;
    /** @type {number | undefined} */
    this.timer = undefined;
    this.disposed = false;

    const filterId = uniqueId('batch-filter');
    this.filter = el('select', { id: filterId, 'data-testid': 'status-filter' }, [
      el('option', { value: '' }, ['All']),
      ...BATCH_STATUSES.map((s) => el('option', { value: s }, [BATCH_STATUS_LABELS[s]])),
    ]);
    this.filter.addEventListener('change', () => {
      this.status = /** @type {BatchStatus | null} */ (this.filter.value || null);
      this.previous = [];
      this.cursor = null;
      void this.load();
    });
    this.list = el('ul', { class: 'batch-list', 'data-testid': 'batch-list' });
    this.note = el('p', { class: 'muted', role: 'status' });
    this.newer = el('button', { type: 'button', class: 'button' }, ['← Newer']);
    this.older = el('button', { type: 'button', class: 'button' }, ['Older →']);
    this.newer.addEventListener('click', () => {
      this.cursor = this.previous.pop() ?? null;
      void this.load();
    });
    this.older.addEventListener('click', () => {
      this.previous.push(this.cursor);
      this.cursor = this.nextCursor;
      void this.load();
    });
    this.title = el('h1', { tabindex: -1 }, ['Batches']);
    this.element = el('section', { class: 'batch-list-page' }, [
      el('header', { class: 'page-head section-head' }, [
        this.title,
        el('a', { class: 'button button-primary', href: '#/new' }, ['New batch']),
      ]),
      el('label', { for: filterId, class: 'inline-label' }, ['Status ', this.filter]),
      this.list,
      this.note,
      el('nav', { class: 'pager', 'aria-label': 'Pages of batches' }, [this.newer, this.older]),
    ]);
  }

  start() {
    return this.load();
  }

  dispose() {
    this.disposed = true;
    window.clearTimeout(this.timer);
  }

  async load() {
    window.clearTimeout(this.timer);
    try {
      const page = await listBatches({ status: this.status, limit: PAGE, cursor: this.cursor });
      this.nextCursor = page.nextCursor;
      replaceChildren(this.list, page.data.map(card));
      replaceChildren(this.note, [page.data.length === 0 ? emptyText(this.status) : '']);
      this.newer.disabled = this.previous.length === 0 && this.cursor === null;
      this.older.disabled = page.nextCursor === null;
      if (page.data.some((b) => !isTerminal(b.status)) && !this.disposed) {
        this.timer = window.setTimeout(() => void this.load(), REFRESH_MS);
      }
    } catch (error) {
      replaceChildren(this.note, [`Could not load the batches: ${error instanceof Error ? error.message : String(error)}`]);
    }
  }
}

/** @param {BatchStatus | null} status */
function emptyText(status) {
  return status ? `No ${BATCH_STATUS_LABELS[status].toLowerCase()} batches.` : 'No batches yet. Start one with "New batch".';
}

/** @param {Batch} batch */
function card(batch) {
  const progress = new ProgressBar({ label: `Progress of ${batch.name}` });
  progress.update(batch.counts);
  return el('li', { class: 'batch-card', 'data-batch': batch.id }, [
    el('div', { class: 'batch-card-head' }, [
      el('a', { href: `#/batches/${batch.id}`, class: 'batch-name' }, [batch.name]),
      el('span', { class: `badge status-${batch.status}`, 'data-testid': 'batch-status' }, [
        BATCH_STATUS_LABELS[batch.status],
      ]),
    ]),
    progress.element,
    el('p', { class: 'batch-card-foot' }, [
      el('span', {}, [summarizeCounts(batch.counts)]),
      el('span', { class: 'muted' }, [
        'Created ',
        el('time', { datetime: batch.createdAt }, [formatTime(batch.createdAt)]),
      ]),
    ]),
  ]);
}
