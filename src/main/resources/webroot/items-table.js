// @ts-check
import { listItems } from './api.js';
import { el, replaceChildren, uniqueId } from './dom.js';
import { ITEM_STATUS_LABELS, ITEM_STATUSES, formatTime, plural } from './format.js';

/** @typedef {import('./types.js').Item} Item */
/** @typedef {import('./types.js').ItemStatus} ItemStatus */

const PAGE = 50;
const PREVIEW = 140;

/**
 * The batch's items, filterable by status, each with its result or error. A row's result shows
 * its first line; "Show all" expands it to the whole text and the prompt. Text is always set as
 * text, never parsed as HTML. Pages load on demand ("Show more"); `refresh` re-reads the pages
 * shown so far, keeping the rows that were expanded.
 */
export class ItemsTable {
  /** @param {string} batchId */
  constructor(batchId) {
    this.batchId = batchId;
    /** @type {ItemStatus | null} */
    this.status = null;
    /** @type {Item[]} */
    this.items = [];
    /** @type {string | null} */
    this.nextCursor = null;
    /** @type {Set<number>} */
    this.expanded = new Set();
    /** Rows shown, by seq, with what they showed. @type {Map<number, {signature: string, row: HTMLTableRowElement}>} */
    this.rows = new Map();
    this.loading = false;
    this.pendingRefresh = false;

    const filterId = uniqueId('item-filter');
    this.filter = el('select', { id: filterId, 'data-testid': 'item-filter' }, [
      el('option', { value: '' }, ['All items']),
      ...ITEM_STATUSES.map((s) => el('option', { value: s }, [ITEM_STATUS_LABELS[s]])),
    ]);
    this.filter.addEventListener('change', () => {
      this.status = /** @type {ItemStatus | null} */ (this.filter.value || null);
      this.items = [];
      void this.load(PAGE, null, true);
    });
    this.body = el('tbody');
    this.caption = el('caption', { class: 'visually-hidden' }, ['Items']);
    this.more = el('button', { type: 'button', class: 'button', hidden: true }, ['Show more']);
    this.more.addEventListener('click', () => void this.load(PAGE, this.nextCursor, false));
    this.note = el('p', { class: 'muted', role: 'status' });
    this.element = el('section', { class: 'items', 'aria-labelledby': `${filterId}-title` }, [
      el('div', { class: 'section-head' }, [
        el('h2', { id: `${filterId}-title` }, ['Items']),
        el('label', { for: filterId, class: 'inline-label' }, ['Show ', this.filter]),
      ]),
      el('div', { class: 'table-wrap' }, [
        el('table', { class: 'items-table', 'data-testid': 'items-table' }, [
          this.caption,
          el('thead', {}, [
            el('tr', {}, [
              el('th', { scope: 'col' }, ['#']),
              el('th', { scope: 'col' }, ['Item']),
              el('th', { scope: 'col' }, ['Status']),
              el('th', { scope: 'col' }, ['Result']),
              el('th', { scope: 'col' }, ['Attempts']),
            ]),
          ]),
          this.body,
        ]),
      ]),
      this.note,
      this.more,
    ]);
  }

  /** Reads the first page. */
  start() {
    return this.load(PAGE, null, true);
  }

  /** Re-reads what is shown (at least one page), after the batch changed. */
  async refresh() {
    if (this.loading) {
      this.pendingRefresh = true;
      return;
    }
    await this.load(Math.min(Math.max(this.items.length, PAGE), 500), null, true);
  }

  /**
   * @param {number} limit
   * @param {string | null} cursor
   * @param {boolean} replace
   */
  async load(limit, cursor, replace) {
    this.loading = true;
    const status = this.status;
    try {
      const page = await listItems(this.batchId, { status, limit, cursor });
      if (status !== this.status) {
        return; // the filter changed meanwhile; its own load shows its rows
      }
      this.items = replace ? page.data : [...this.items, ...page.data];
      this.nextCursor = page.nextCursor;
      this.render();
    } catch (error) {
      replaceChildren(this.note, [`Could not load the items: ${error instanceof Error ? error.message : String(error)}`]);
    } finally {
      this.loading = false;
      if (this.pendingRefresh) {
        this.pendingRefresh = false;
        void this.refresh();
      }
    }
  }

  /**
   * Shows `items`, keeping the element of every row whose item did not change, so a refresh
   * neither moves the keyboard focus nor closes what was opened.
   */
  render() {
    /** @type {Map<number, {signature: string, row: HTMLTableRowElement}>} */
    const rows = new Map();
    const wanted = this.items.map((item) => {
      const signature = JSON.stringify([item.id, item.status, item.attempts, item.output, item.error, item.finishedAt]);
      const cached = this.rows.get(item.seq);
      const row = cached && cached.signature === signature ? cached.row : this.row(item);
      rows.set(item.seq, { signature, row });
      return row;
    });
    this.rows = rows;
    const keep = new Set(wanted);
    for (const child of [...this.body.children]) {
      if (!keep.has(/** @type {HTMLTableRowElement} */ (child))) {
        child.remove();
      }
    }
    // What is left is in order; slot the new rows in around it.
    wanted.forEach((row, index) => {
      const current = this.body.children[index];
      if (current !== row) {
        this.body.insertBefore(row, current ?? null);
      }
    });
    const noun = this.status ? `${ITEM_STATUS_LABELS[this.status].toLowerCase()} item` : 'item';
    replaceChildren(this.note, [
      this.items.length === 0
        ? `No ${noun}s.`
        : `Showing ${plural(this.items.length, noun)}${this.nextCursor ? ' so far' : ''}.`,
    ]);
    this.more.hidden = this.nextCursor === null;
  }

  /** @param {Item} item */
  row(item) {
    return el('tr', { 'data-item': item.id, 'data-status': item.status }, [
      el('td', { 'data-label': '#' }, [String(item.seq)]),
      el('td', { 'data-label': 'Item', class: 'item-id' }, [item.id]),
      el('td', { 'data-label': 'Status' }, [
        el('span', { class: `badge item-${item.status}` }, [ITEM_STATUS_LABELS[item.status]]),
        item.finishedAfterCancel ? el('span', { class: 'muted' }, [' (finished after cancel)']) : null,
      ]),
      el('td', { 'data-label': 'Result', class: 'result-cell' }, [this.result(item)]),
      el('td', { 'data-label': 'Attempts' }, [String(item.attempts)]),
    ]);
  }

  /** @param {Item} item */
  result(item) {
    const text = item.output ?? (item.error ? `${item.error.code}: ${item.error.message}` : null);
    if (text === null) {
      return el('span', { class: 'muted' }, [item.status === 'in_progress' ? 'Generating…' : '—']);
    }
    const prompt = item.input.prompt ?? JSON.stringify(item.input.vars ?? {});
    const details = el('details', { class: item.error && !item.output ? 'result error-text' : 'result' }, [
      el('summary', {}, [
        el('span', { class: 'result-preview', 'data-testid': 'result-preview' }, [preview(text)]),
        el('span', { class: 'visually-hidden' }, [' (show all)']),
      ]),
      el('div', { class: 'result-full' }, [
        el('h3', {}, [item.output ? 'Output' : 'Error']),
        el('pre', { 'data-testid': 'result-text' }, [text]),
        el('h3', {}, ['Prompt']),
        el('pre', {}, [prompt]),
        el('p', { class: 'muted' }, [`Finished ${formatTime(item.finishedAt)}`]),
      ]),
    ]);
    details.open = this.expanded.has(item.seq);
    details.addEventListener('toggle', () => {
      if (details.open) {
        this.expanded.add(item.seq);
      } else {
        this.expanded.delete(item.seq);
      }
    });
    return details;
  }
}

/** @param {string} text */
function preview(text) {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > PREVIEW || line.length < text.length ? `${line.slice(0, PREVIEW)}…` : line;
}
