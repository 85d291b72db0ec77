// @ts-check
import { listEvents } from './api.js';
import { el, replaceChildren } from './dom.js';
import { BATCH_STATUS_LABELS, formatTime } from './format.js';

/** @typedef {import('./types.js').BatchEvent} BatchEvent */

/** The batch's transitions, oldest first, re-read whenever the batch's status moves. */
export class TransitionHistory {
  /** @param {string} batchId */
  constructor(batchId) {
    this.batchId = batchId;
    /** @type {BatchEvent[]} */
    this.events = [];
    this.list = el('ol', { class: 'history', 'data-testid': 'history' });
    this.element = el('section', { class: 'history-section', 'aria-labelledby': 'history-title' }, [
      el('h2', { id: 'history-title' }, ['History']),
      this.list,
    ]);
  }

  /** The time of the latest transition, if any is known. */
  get lastTransitionAt() {
    return this.events.at(-1)?.at ?? null;
  }

  async refresh() {
    try {
      this.events = await listEvents(this.batchId);
      replaceChildren(this.list, this.events.map(entry));
    } catch (error) {
      replaceChildren(this.list, [
        el('li', {}, [`Could not load the history: ${error instanceof Error ? error.message : String(error)}`]),
      ]);
    }
  }
}

/** @param {BatchEvent} event */
function entry(event) {
  const from = event.from === 'created' ? 'Created' : BATCH_STATUS_LABELS[event.from];
  const to = BATCH_STATUS_LABELS[event.to];
  const what = event.from === 'created' ? 'Created, running' : `${from} → ${to}`;
  return el('li', {}, [
    el('time', { datetime: event.at }, [formatTime(event.at)]),
    ' ',
    el('strong', {}, [what]),
    ` by ${event.actor}`,
    event.reason && event.reason !== 'created' ? el('span', { class: 'muted' }, [` — ${event.reason}`]) : null,
  ]);
}
