// @ts-check
import { ApiError, createBatch } from './api.js';
import { InputError, itemsFromCsv, itemsFromJsonl } from './batch-input.js';
import { el, replaceChildren, uniqueId } from './dom.js';
import { plural } from './format.js';

/** @typedef {import('./types.js').Batch} Batch */
/** @typedef {import('./types.js').NewBatch} NewBatch */
/** @typedef {import('./types.js').Problem} Problem */
/** @typedef {import('./batch-input.js').ParsedItems} ParsedItems */
/** @typedef {'table' | 'jsonl'} ItemsMode */

/**
 * One labelled field with a hint and a place for its error, wired for screen readers
 * (aria-describedby, aria-invalid).
 */
class Field {
  /**
   * @param {string} label
   * @param {HTMLInputElement | HTMLTextAreaElement} control
   * @param {string} [hint]
   */
  constructor(label, control, hint) {
    const id = control.id || uniqueId('field');
    control.id = id;
    this.control = control;
    this.error = el('p', { class: 'field-error', id: `${id}-error`, hidden: true, 'data-error-for': control.name });
    const hintElement = hint ? el('p', { class: 'hint', id: `${id}-hint` }, [hint]) : null;
    control.setAttribute('aria-describedby', [hintElement?.id, this.error.id].filter(Boolean).join(' '));
    this.element = el('div', { class: 'field' }, [el('label', { for: id }, [label]), hintElement, control, this.error]);
  }

  /** @param {string} text */
  showError(text) {
    replaceChildren(this.error, [text]);
    this.error.hidden = text === '';
    if (text === '') {
      this.control.removeAttribute('aria-invalid');
    } else {
      this.control.setAttribute('aria-invalid', 'true');
    }
  }
}

/**
 * The new-batch form: name, model, concurrency, attempts, and the items, either as a prompt
 * template with {{placeholders}} and a pasted CSV table, or as pasted JSON Lines. It counts the
 * items as they are typed, and puts each error the API reports next to the field it names.
 * @param {{onCreated: (batch: Batch) => void}} options
 */
export class NewBatchForm {
  /** @param {{onCreated: (batch: Batch) => void}} options */
  constructor(options) {
    this.onCreated = options.onCreated;
    /** @type {ItemsMode} */
    this.mode = 'table';
    /** @type {ParsedItems} */
    this.parsed = { items: [], lines: [] };
    this.submitting = false;

    this.name = new Field('Name', el('input', { name: 'name', required: true, maxlength: 200, autocomplete: 'off' }));
    this.model = new Field(
      'Model',
      el('input', { name: 'model', value: 'simulated', required: true, maxlength: 200 }),
      'The model every item runs on; "simulated" runs offline.',
    );
    this.concurrency = new Field(
      'Concurrency',
      el('input', { name: 'concurrency', type: 'number', min: 1, max: 1024, value: 8, required: true, inputmode: 'numeric' }),
      'Items generated at the same time.',
    );
    this.maxAttempts = new Field(
      'Attempts per item',
      el('input', { name: 'maxAttempts', type: 'number', min: 1, max: 20, value: 3, required: true, inputmode: 'numeric' }),
    );
    this.template = new Field(
      'Prompt template',
      el('textarea', { name: 'template', rows: 4, spellcheck: 'true' }),
      'Write {{name}} where a value from the table goes, e.g. "Write one exam question about {{topic}}."',
    );
    this.csv = new Field(
      'Variables (CSV with a header row)',
      el('textarea', { name: 'csv', rows: 8, spellcheck: 'false', class: 'mono' }),
      'One row per item; the header names the placeholders. An "id" column, if present, names the items. Cells copied from a spreadsheet (tab-separated) work too.',
    );
    this.jsonl = new Field(
      'Items (JSON Lines)',
      el('textarea', { name: 'jsonl', rows: 10, spellcheck: 'false', class: 'mono' }),
      'One JSON object per line: {"id": "q1", "prompt": "…"}, or {"id": "q1", "vars": {…}} with the template above.',
    );
    this.count = el('p', { class: 'item-count', role: 'status', 'data-testid': 'item-count' });
    this.formError = el('p', { class: 'problem', role: 'alert', hidden: true, 'data-testid': 'form-error' });
    this.submit = el('button', { type: 'submit', class: 'button button-primary' }, ['Create batch']);

    const modeName = uniqueId('items-mode');
    const tableRadio = el('input', { type: 'radio', name: modeName, value: 'table', checked: true });
    const jsonlRadio = el('input', { type: 'radio', name: modeName, value: 'jsonl' });
    this.tablePanel = el('div', { class: 'items-panel' }, [this.csv.element]);
    this.jsonlPanel = el('div', { class: 'items-panel', hidden: true }, [this.jsonl.element]);
    for (const radio of [tableRadio, jsonlRadio]) {
      radio.addEventListener('change', () => {
        this.mode = /** @type {ItemsMode} */ (radio.value);
        this.tablePanel.hidden = this.mode !== 'table';
        this.jsonlPanel.hidden = this.mode !== 'jsonl';
        this.recount();
      });
    }
    for (const field of [this.template, this.csv, this.jsonl]) {
      field.control.addEventListener('input', () => this.recount());
    }

    this.title = el('h1', { tabindex: -1 }, ['New batch']);
    this.form = el('form', { class: 'new-batch', novalidate: true, 'aria-labelledby': 'new-batch-title' }, [
      el('div', { class: 'field-row' }, [this.name.element, this.model.element]),
      el('div', { class: 'field-row' }, [this.concurrency.element, this.maxAttempts.element]),
      el('fieldset', { class: 'items-mode' }, [
        el('legend', {}, ['Items']),
        el('label', { class: 'radio' }, [tableRadio, ' Template and a table of variables']),
        el('label', { class: 'radio' }, [jsonlRadio, ' JSON Lines']),
      ]),
      this.template.element,
      this.tablePanel,
      this.jsonlPanel,
      this.count,
      this.formError,
      el('div', { class: 'actions-row' }, [this.submit, el('a', { href: '#/', class: 'button' }, ['Back to batches'])]),
    ]);
    this.title.id = 'new-batch-title';
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
    this.element = el('section', { class: 'new-batch-page' }, [el('header', { class: 'page-head' }, [this.title]), this.form]);
    this.recount();
  }

  get itemsField() {
    return this.mode === 'table' ? this.csv : this.jsonl;
  }

  /** Parses the items as typed and says how many there will be, or what is wrong. */
  recount() {
    this.csv.showError('');
    this.jsonl.showError('');
    try {
      this.parsed = this.mode === 'table' ? itemsFromCsv(this.csv.control.value) : itemsFromJsonl(this.jsonl.control.value);
      const n = this.parsed.items.length;
      replaceChildren(this.count, [n === 0 ? 'No items yet.' : `${plural(n, 'item')} will be created.`]);
      return true;
    } catch (error) {
      this.parsed = { items: [], lines: [] };
      replaceChildren(this.count, ['No items can be read yet.']);
      this.itemsField.showError(error instanceof InputError ? error.message : String(error));
      return false;
    }
  }

  /** @returns {NewBatch} */
  body() {
    /** @type {NewBatch} */
    const body = {
      name: this.name.control.value.trim(),
      model: this.model.control.value.trim(),
      concurrency: Number(this.concurrency.control.value),
      maxAttempts: Number(this.maxAttempts.control.value),
      items: this.parsed.items,
    };
    const template = this.template.control.value;
    if (template.trim() !== '') {
      body.template = template;
    }
    return body;
  }

  async send() {
    if (this.submitting) {
      return;
    }
    this.clearErrors();
    if (!this.recount()) {
      this.itemsField.control.focus();
      return;
    }
    this.submitting = true;
    this.submit.disabled = true;
    replaceChildren(this.submit, ['Creating…']);
    try {
      this.onCreated(await createBatch(this.body()));
    } catch (error) {
      this.showProblem(error);
    } finally {
      this.submitting = false;
      this.submit.disabled = false;
      replaceChildren(this.submit, ['Create batch']);
    }
  }

  clearErrors() {
    for (const field of this.fields()) {
      field.showError('');
    }
    this.formError.hidden = true;
  }

  fields() {
    return [this.name, this.model, this.concurrency, this.maxAttempts, this.template, this.csv, this.jsonl];
  }

  /** @param {unknown} error */
  showProblem(error) {
    const problem = error instanceof ApiError ? error.problem : null;
    const fieldName = problem?.field;
    const target = fieldName ? this.fieldFor(fieldName) : null;
    if (problem && fieldName && target) {
      target.showError(this.describe(problem, fieldName));
      target.control.focus();
      return;
    }
    replaceChildren(this.formError, [
      problem ? `${problem.title}: ${problem.detail}` : `Could not create the batch: ${String(error)}`,
    ]);
    this.formError.hidden = false;
  }

  /** @param {string} field */
  fieldFor(field) {
    switch (field) {
      case 'name':
        return this.name;
      case 'model':
        return this.model;
      case 'concurrency':
        return this.concurrency;
      case 'maxAttempts':
        return this.maxAttempts;
      case 'template':
        return this.template;
      default:
        return field === 'items' || field.startsWith('items[') ? this.itemsField : null;
    }
  }

  /**
   * The API's detail, with `items[3].vars.topic` told as the line and column it came from.
   * @param {Problem} problem
   * @param {string} field
   */
  describe(problem, field) {
    const detail = problem.errors?.find((e) => e.field === field)?.detail ?? problem.detail;
    const match = /^items\[(\d+)\](?:\.(.*))?$/.exec(field);
    if (!match) {
      return detail;
    }
    const index = Number(match[1]);
    const line = this.parsed.lines[index];
    const item = this.parsed.items[index];
    const member = match[2] ?? '';
    const where = [
      line === undefined ? `Item ${index + 1}` : `Line ${line}`,
      item ? ` (item "${item.id}")` : '',
      member.startsWith('vars.') && this.mode === 'table' ? `, column "${member.slice(5)}"` : member ? `, ${member}` : '',
    ].join('');
    return `${where}: ${detail}`;
  }
}
