// @ts-check
import { ApiError } from './api.js';
import { CancelConfirmDialog } from './cancel-confirm-dialog.js';
import { el, replaceChildren } from './dom.js';
import { BATCH_STATUS_LABELS } from './format.js';

/** @typedef {import('./types.js').Batch} Batch */
/** @typedef {import('./types.js').Command} Command */
/** @typedef {import('./types.js').Controls} Controls */

/**
 * What the controls need from the page: send a command (answering the batch as stored after it),
 * and re-read the batch when a command was refused.
 * @typedef {object} ControlActions
 * @property {(command: Command) => Promise<Batch>} send
 * @property {() => Promise<void>} refresh
 */

/**
 * @typedef {object} ButtonSpec
 * @property {Command} command
 * @property {keyof Controls} control
 * @property {string} label
 * @property {string} busyLabel
 * @property {string} verb
 * @property {string} [className]
 */

/** @type {ButtonSpec[]} */
const BUTTONS = [
  { command: 'pause', control: 'pause', label: 'Pause', busyLabel: 'Pausing…', verb: 'pause' },
  { command: 'resume', control: 'resume', label: 'Resume', busyLabel: 'Resuming…', verb: 'resume' },
  {
    command: 'cancel',
    control: 'cancel',
    label: 'Cancel…',
    busyLabel: 'Cancelling…',
    verb: 'cancel',
    className: 'button-danger-outline',
  },
  {
    command: 'retry-failed',
    control: 'retryFailed',
    label: 'Retry failed',
    busyLabel: 'Retrying…',
    verb: 'retry the failed items of',
  },
];

/**
 * BatchControls: Pause, Resume, Cancel and Retry failed. Each button is enabled exactly when the
 * batch's `controls` (computed by the server's state machine) allow its command. While a command
 * is in flight every button is disabled and the one pressed says what it is doing, so nothing can
 * be sent twice; a refusal (409) or an unavailable runner (503) is shown as a sentence and the
 * batch is read again.
 */
export class BatchControls {
  /**
   * @param {ControlActions} actions
   * @param {CancelConfirmDialog} [dialog]
   */
  constructor(actions, dialog = new CancelConfirmDialog()) {
    this.actions = actions;
    this.dialog = dialog;
    /** @type {Batch | null} */
    this.batch = null;
    /** @type {Command | null} */
    this.busy = null;
    /** While the cancel question is open nothing else may start. */
    this.asking = false;
    /** @type {Map<Command, HTMLButtonElement>} */
    this.buttons = new Map();
    this.message = el('p', { class: 'control-message', role: 'alert', 'data-testid': 'control-message' });
    const group = el('div', { class: 'control-buttons', role: 'group', 'aria-label': 'Batch controls' });
    for (const spec of BUTTONS) {
      const button = el(
        'button',
        { type: 'button', class: `button ${spec.className ?? ''}`.trim(), 'data-command': spec.command, disabled: true },
        [spec.label],
      );
      button.addEventListener('click', () => void this.press(spec));
      this.buttons.set(spec.command, button);
      group.append(button);
    }
    this.element = el('section', { class: 'batch-controls', 'aria-label': 'Controls' }, [
      group,
      this.message,
      dialog.element,
    ]);
    this.say('');
  }

  /**
   * Shows the batch's latest state.
   * @param {Batch} batch
   */
  update(batch) {
    this.batch = batch;
    if (this.dialog.isOpen) {
      this.dialog.update(batch.counts);
    }
    this.render();
  }

  render() {
    for (const spec of BUTTONS) {
      const button = this.buttons.get(spec.command);
      if (!button) {
        continue;
      }
      const allowed = this.batch !== null && this.batch.controls[spec.control];
      button.disabled = this.busy !== null || this.asking || !allowed;
      const working = this.busy === spec.command;
      button.setAttribute('aria-busy', String(working));
      replaceChildren(button, [working ? spec.busyLabel : spec.label]);
    }
  }

  /** @param {ButtonSpec} spec */
  async press(spec) {
    const batch = this.batch;
    if (this.busy !== null || this.asking || batch === null) {
      return;
    }
    this.say('');
    if (spec.command === 'cancel') {
      this.asking = true;
      this.render();
      const confirmed = await this.dialog.ask(batch.counts);
      this.asking = false;
      this.render();
      if (!confirmed) {
        this.buttons.get('cancel')?.focus();
        return;
      }
    }
    this.busy = spec.command;
    this.render();
    try {
      const after = await this.actions.send(spec.command);
      this.batch = after.version >= (this.batch?.version ?? 0) ? after : this.batch;
    } catch (error) {
      this.say(explain(spec, error));
      await this.actions.refresh().catch(() => undefined);
    } finally {
      this.busy = null;
      this.render();
      this.restoreFocus(spec.command);
    }
  }

  /**
   * After a command the pressed button may be disabled; keep the keyboard in the control group.
   * @param {Command} pressed
   */
  restoreFocus(pressed) {
    const active = document.activeElement;
    if (active && active !== document.body && !this.element.contains(active)) {
      return;
    }
    const target = [this.buttons.get(pressed), ...this.buttons.values()].find((b) => b && !b.disabled);
    target?.focus();
  }

  /** @param {string} text */
  say(text) {
    replaceChildren(this.message, [text]);
    this.message.hidden = text === '';
  }
}

/**
 * A sentence for a person about why a command did not go through.
 * @param {ButtonSpec} spec
 * @param {unknown} error
 */
function explain(spec, error) {
  if (!(error instanceof ApiError)) {
    return `Could not ${spec.verb} the batch: ${String(error)}`;
  }
  const problem = error.problem;
  if (problem.status === 409 && problem.batchStatus) {
    const now = BATCH_STATUS_LABELS[problem.batchStatus].toLowerCase();
    return `Could not ${spec.verb} the batch: it changed elsewhere and is now ${now}. ${problem.detail} The page now shows its current state.`;
  }
  if (problem.status === 503) {
    return `Could not ${spec.verb} the batch right now: ${problem.detail} Nothing was changed; try again in a moment.`;
  }
  return `Could not ${spec.verb} the batch: ${problem.detail}`;
}
