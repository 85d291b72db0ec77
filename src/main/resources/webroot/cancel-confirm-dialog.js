// @ts-check
import { el, replaceChildren, uniqueId } from './dom.js';
import { plural } from './format.js';

/** @typedef {import('./types.js').Counts} Counts */

/**
 * CancelConfirmDialog: a modal that asks before a batch is cancelled. It says the cancel cannot be
 * undone and what happens to each item: finished items are kept, pending items are cancelled,
 * items in flight still finish. "Keep running" has the focus when it opens, so Enter or Escape
 * never cancels by accident; only the red "Cancel batch" button does.
 */
export class CancelConfirmDialog {
  constructor() {
    const title = uniqueId('cancel-title');
    const description = uniqueId('cancel-description');
    this.kept = el('li', { 'data-testid': 'cancel-kept' });
    this.cancelled = el('li', { 'data-testid': 'cancel-pending' });
    this.inFlight = el('li', { 'data-testid': 'cancel-in-flight' });
    this.keepButton = el('button', { type: 'submit', value: 'keep', class: 'button', autofocus: true }, [
      'Keep running',
    ]);
    this.confirmButton = el(
      'button',
      { type: 'submit', value: 'confirm', class: 'button button-danger' },
      ['Cancel batch'],
    );
    this.element = el(
      'dialog',
      { class: 'dialog', 'aria-labelledby': title, 'aria-describedby': description },
      [
        el('form', { method: 'dialog' }, [
          el('h2', { id: title }, ['Cancel this batch?']),
          el('div', { id: description }, [
            el('p', { class: 'warning' }, ['This cannot be undone.']),
            el('ul', { class: 'consequences' }, [this.kept, this.cancelled, this.inFlight]),
          ]),
          el('div', { class: 'dialog-actions' }, [this.keepButton, this.confirmButton]),
        ]),
      ],
    );
    /** @type {((confirmed: boolean) => void) | null} */
    this.settle = null;
    this.element.addEventListener('close', () => {
      const confirmed = this.element.returnValue === 'confirm';
      const settle = this.settle;
      this.settle = null;
      settle?.(confirmed);
    });
  }

  /**
   * Opens the dialog for a batch with these counts; resolves true only if the person confirmed.
   * @param {Counts} counts
   * @returns {Promise<boolean>}
   */
  ask(counts) {
    this.update(counts);
    this.element.returnValue = '';
    const answer = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.element.showModal();
    this.keepButton.focus();
    return /** @type {Promise<boolean>} */ (answer);
  }

  get isOpen() {
    return this.element.open;
  }

  /**
   * Keeps the numbers true while the dialog is open and the batch runs on.
   * @param {Counts} counts
   */
  update(counts) {
    const finished = counts.succeeded + counts.failed;
    replaceChildren(this.kept, [
      `${plural(finished, 'finished item')} will be kept (${counts.succeeded} succeeded, ${counts.failed} failed).`,
    ]);
    replaceChildren(this.cancelled, [`${plural(counts.pending, 'pending item')} will be cancelled.`]);
    replaceChildren(this.inFlight, [
      `${plural(counts.inProgress, 'item')} in flight will still finish, and ${
        counts.inProgress === 1 ? 'its result' : 'their results'
      } will be kept.`,
    ]);
  }

  /** Closes without cancelling. */
  dismiss() {
    if (this.element.open) {
      this.element.close('keep');
    }
  }
}
