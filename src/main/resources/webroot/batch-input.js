// @ts-check
/**
 * Turns what a person pastes into a batch's items: a CSV (or tab-separated) table whose header row
 * names the template's variables, or JSON Lines of {id, prompt} / {id, vars}. Pure functions, so
 * the form can count items as the person types.
 */

/** @typedef {import('./types.js').NewItem} NewItem */
/** @typedef {import('./types.js').Vars} Vars */

/**
 * Items and, for each, the line of the pasted text it came from (1-based), so an error the API
 * reports for `items[3]` can point at the right line.
 * @typedef {object} ParsedItems
 * @property {NewItem[]} items
 * @property {number[]} lines
 */

/** A problem with the pasted text, on a given line (1-based). */
export class InputError extends Error {
  /**
   * @param {string} message
   * @param {number} line
   */
  constructor(message, line) {
    super(`Line ${line}: ${message}`);
    this.name = 'InputError';
    /** @readonly */
    this.line = line;
  }
}

/**
 * Splits CSV into rows of cells (RFC 4180: quoted cells may hold the delimiter, quotes written
 * twice and line breaks). A header with tabs and no commas is read as tab-separated, which is what
 * a copy from a spreadsheet gives. Blank lines are skipped.
 * @param {string} text
 * @returns {{cells: string[], line: number}[]}
 */
export function parseCsv(text) {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
  /** @type {{cells: string[], line: number}[]} */
  const rows = [];
  /** @type {string[]} */
  let cells = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let rowHasContent = false;
  const endRow = () => {
    cells.push(cell);
    if (rowHasContent || cells.length > 1 || cell !== '') {
      rows.push({ cells, line: rowLine });
    }
    cells = [];
    cell = '';
    rowHasContent = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') {
          line++;
        }
        cell += c;
      }
    } else if (c === '"' && cell === '') {
      quoted = true;
      rowHasContent = true;
    } else if (c === delimiter) {
      cells.push(cell);
      cell = '';
      rowHasContent = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') {
        i++;
      }
      endRow();
      line++;
      rowLine = line;
    } else {
      cell += c;
    }
  }
  if (quoted) {
    throw new InputError('a quoted cell is not closed.', rowLine);
  }
  endRow();
  return rows;
}

/**
 * Items for a template from a CSV table: the header row names the variables; a column named `id`
 * (if any) gives each item's id, otherwise rows are numbered `row-1`, `row-2`, ….
 * @param {string} text
 * @returns {ParsedItems}
 */
export function itemsFromCsv(text) {
  const rows = parseCsv(text);
  const header = rows.shift();
  if (!header) {
    return { items: [], lines: [] };
  }
  const names = header.cells.map((name) => name.trim());
  names.forEach((name, column) => {
    if (name === '') {
      throw new InputError(`column ${column + 1} of the header row has no name.`, header.line);
    }
    if (names.indexOf(name) !== column) {
      throw new InputError(`the header row names "${name}" twice.`, header.line);
    }
  });
  const idColumn = names.indexOf('id');
  /** @type {NewItem[]} */
  const items = [];
  /** @type {number[]} */
  const lines = [];
  rows.forEach((row, index) => {
    if (row.cells.length !== names.length) {
      throw new InputError(
        `expected ${names.length} cells, as the header row has, but found ${row.cells.length}.`,
        row.line,
      );
    }
    /** @type {Vars} */
    const vars = {};
    names.forEach((name, column) => {
      if (column !== idColumn) {
        vars[name] = row.cells[column] ?? '';
      }
    });
    const id = idColumn >= 0 ? (row.cells[idColumn] ?? '').trim() : `row-${index + 1}`;
    items.push({ id, vars });
    lines.push(row.line);
  });
  return { items, lines };
}

/**
 * Items from JSON Lines: each non-blank line an object with `id` and either `prompt` or `vars`.
 * @param {string} text
 * @returns {ParsedItems}
 */
export function itemsFromJsonl(text) {
  /** @type {NewItem[]} */
  const items = [];
  /** @type {number[]} */
  const lines = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') {
      return;
    }
    /** @type {unknown} */
    let value;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new InputError('not valid JSON.', line);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InputError('each line must be a JSON object such as {"id": "q1", "prompt": "…"}.', line);
    }
    items.push(/** @type {NewItem} */ (value));
    lines.push(line);
  });
  return { items, lines };
}

/**
 * The placeholders a template names, in order of first use.
 * @param {string} template
 * @returns {string[]}
 */
export function placeholders(template) {
  const names = [...template.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g)].map((m) => m[1] ?? '');
  return [...new Set(names)];
}
