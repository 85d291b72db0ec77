// @ts-check
/**
 * A small element builder. Children given as strings become text nodes, so data is never parsed
 * as HTML: no module of the UI uses innerHTML.
 */

/** @typedef {string | number | boolean | null | undefined} AttributeValue */

/**
 * Creates an element with attributes (true sets an empty attribute; false, null and undefined
 * leave it out) and children (strings become text).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, AttributeValue>} [attributes]
 * @param {(Node | string | null | undefined)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) {
      element.setAttribute(name, '');
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

/**
 * Appends children; strings become text nodes.
 * @param {Element} parent
 * @param {(Node | string | null | undefined)[]} children
 */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined) {
      continue;
    }
    parent.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/**
 * Replaces every child of `parent`.
 * @param {Element} parent
 * @param {(Node | string | null | undefined)[]} children
 */
export function replaceChildren(parent, children) {
  parent.replaceChildren();
  append(parent, children);
}

/** A unique id for labelling (aria-labelledby, aria-describedby, label for). */
let counter = 0;
/** @param {string} prefix */
export function uniqueId(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}
