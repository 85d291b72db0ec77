// @ts-check
import { el, replaceChildren } from './dom.js';
import { formatNumber, settled } from './format.js';

/** @typedef {import('./types.js').Counts} Counts */

/**
 * The segments in the order they are drawn, and the count each one shows.
 * @type {{key: keyof Omit<Counts, 'total'>, label: string}[]}
 */
const SEGMENTS = [
  { key: 'succeeded', label: 'Succeeded' },
  { key: 'failed', label: 'Failed' },
  { key: 'inProgress', label: 'In flight' },
  { key: 'pending', label: 'Pending' },
  { key: 'cancelled', label: 'Cancelled' },
];

/**
 * A bar split into succeeded / failed / in flight / pending / cancelled, optionally with a legend
 * of the numbers. Screen readers get one progressbar with the same numbers as its value text.
 */
export class ProgressBar {
  /** @param {{legend?: boolean, label?: string}} [options] */
  constructor(options = {}) {
    /** @type {Record<string, HTMLElement>} */
    this.segments = {};
    /** @type {Record<string, HTMLElement>} */
    this.numbers = {};
    this.bar = el('div', {
      class: 'progress-bar',
      role: 'progressbar',
      'aria-label': options.label ?? 'Progress',
      'aria-valuemin': 0,
    });
    for (const { key } of SEGMENTS) {
      const segment = el('div', { class: `segment segment-${key}`, 'data-segment': key });
      this.segments[key] = segment;
      this.bar.append(segment);
    }
    this.legend = null;
    if (options.legend) {
      this.legend = el(
        'ul',
        { class: 'progress-legend' },
        SEGMENTS.map(({ key, label }) => {
          const number = el('span', { class: 'legend-number', 'data-count': key }, ['0']);
          this.numbers[key] = number;
          return el('li', {}, [
            el('span', { class: `swatch segment-${key}`, 'aria-hidden': 'true' }),
            `${label} `,
            number,
          ]);
        }),
      );
    }
    this.element = el('div', { class: 'progress' }, [this.bar, this.legend]);
  }

  /** @param {Counts} counts */
  update(counts) {
    const total = Math.max(counts.total, 1);
    for (const { key } of SEGMENTS) {
      const segment = this.segments[key];
      if (segment) {
        segment.style.width = `${(counts[key] / total) * 100}%`;
      }
      const number = this.numbers[key];
      if (number) {
        replaceChildren(number, [formatNumber(counts[key])]);
      }
    }
    const done = settled(counts);
    this.bar.setAttribute('aria-valuemax', String(counts.total));
    this.bar.setAttribute('aria-valuenow', String(done));
    this.bar.setAttribute(
      'aria-valuetext',
      `${formatNumber(done)} of ${formatNumber(counts.total)} items done: ` +
        SEGMENTS.map(({ key, label }) => `${formatNumber(counts[key])} ${label.toLowerCase()}`).join(', '),
    );
  }
}
