// @ts-check
/** Sluice's HTTP API, as the page uses it. Every failure is an ApiError carrying a problem. */

/** @typedef {import('./types.js').Batch} Batch */
/** @typedef {import('./types.js').BatchStatus} BatchStatus */
/** @typedef {import('./types.js').BatchEvent} BatchEvent */
/** @typedef {import('./types.js').Command} Command */
/** @typedef {import('./types.js').Item} Item */
/** @typedef {import('./types.js').ItemStatus} ItemStatus */
/** @typedef {import('./types.js').NewBatch} NewBatch */
/** @typedef {import('./types.js').Problem} Problem */
/**
 * @template T
 * @typedef {import('./types.js').Page<T>} Page
 */

import { authHeaders, refused } from './session.js';

const BASE = '/api/generation/batch';

/** A request that failed: the API's problem, or one made up for a network failure (status 0). */
export class ApiError extends Error {
  /** @param {Problem} problem */
  constructor(problem) {
    super(problem.detail);
    this.name = 'ApiError';
    /** @readonly */
    this.problem = problem;
  }

  get status() {
    return this.problem.status;
  }
}

/**
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<unknown>}
 */
async function call(path, init = {}) {
  /** @type {Response} */
  let response;
  try {
    response = await fetch(path, {
      ...init,
      // X-Sluice-Client marks the request as the page's own: no other site can send that header.
      headers: { Accept: 'application/json', 'X-Sluice-Client': 'web', ...authHeaders(), ...init.headers },
    });
  } catch {
    throw new ApiError({
      type: 'about:blank',
      title: 'No answer',
      status: 0,
      detail: 'Sluice did not answer. Check the connection and try again.',
    });
  }
  const type = response.headers.get('Content-Type') ?? '';
  const body = type.includes('json') ? await response.json() : null;
  if (response.status === 401) {
    refused();
  }
  if (!response.ok) {
    throw new ApiError(
      isProblem(body)
        ? body
        : {
            type: 'about:blank',
            title: response.statusText,
            status: response.status,
            detail: `Sluice answered ${response.status} ${response.statusText}.`,
          },
    );
  }
  return body;
}

/**
 * @param {unknown} body
 * @returns {body is Problem}
 */
function isProblem(body) {
  return typeof body === 'object' && body !== null && 'status' in body && 'detail' in body;
}

/**
 * @param {Record<string, string | number | null | undefined>} params
 */
function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * The caller's batches, newest first.
 * @param {{status?: BatchStatus | null, limit?: number, cursor?: string | null}} [options]
 * @returns {Promise<Page<Batch>>}
 */
export async function listBatches(options = {}) {
  return /** @type {Page<Batch>} */ (await call(BASE + query(options)));
}

/**
 * @param {string} id
 * @returns {Promise<Batch>}
 */
export async function getBatch(id) {
  return /** @type {Batch} */ (await call(`${BASE}/${encodeURIComponent(id)}`));
}

/**
 * @param {NewBatch} batch
 * @returns {Promise<Batch>}
 */
export async function createBatch(batch) {
  return /** @type {Batch} */ (
    await call(BASE, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(batch),
    })
  );
}

/**
 * Sends a control command; answers the batch as stored after it.
 * @param {string} id
 * @param {Command} command
 * @returns {Promise<Batch>}
 */
export async function sendCommand(id, command) {
  return /** @type {Batch} */ (
    await call(`${BASE}/${encodeURIComponent(id)}/${command}`, { method: 'POST' })
  );
}

/**
 * @param {string} id
 * @param {{status?: ItemStatus | null, limit?: number, cursor?: string | null}} [options]
 * @returns {Promise<Page<Item>>}
 */
export async function listItems(id, options = {}) {
  return /** @type {Page<Item>} */ (
    await call(`${BASE}/${encodeURIComponent(id)}/items${query(options)}`)
  );
}

/**
 * The batch's transition history, oldest first.
 * @param {string} id
 * @returns {Promise<BatchEvent[]>}
 */
export async function listEvents(id) {
  const page = /** @type {{data: BatchEvent[]}} */ (
    await call(`${BASE}/${encodeURIComponent(id)}/events`)
  );
  return page.data;
}

/**
 * Checks a credential: answers the problem Sluice gives for it, or null when it is accepted.
 * @param {string} credential
 * @returns {Promise<Problem | null>}
 */
export async function checkCredential(credential) {
  try {
    await call(`${BASE}?limit=1`, { headers: { Authorization: `Bearer ${credential}` } });
    return null;
  } catch (error) {
    if (error instanceof ApiError) {
      return error.problem;
    }
    throw error;
  }
}

/**
 * Downloads the batch's results with the page's credential and hands them to the browser as a
 * file (a plain link could not carry the bearer header).
 * @param {string} id
 */
export async function downloadResults(id) {
  const response = await fetch(resultsUrl(id), { headers: { ...authHeaders() } });
  if (response.status === 401) {
    refused();
  }
  if (!response.ok) {
    throw new ApiError({
      type: 'about:blank',
      title: response.statusText,
      status: response.status,
      detail: `Sluice answered ${response.status} ${response.statusText}.`,
    });
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = `sluice-${id}-results.jsonl`;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** @param {string} id */
export function streamUrl(id) {
  return `${BASE}/${encodeURIComponent(id)}/stream`;
}

/** @param {string} id */
export function resultsUrl(id) {
  return `${BASE}/${encodeURIComponent(id)}/results`;
}
