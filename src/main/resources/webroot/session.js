// @ts-check
/**
 * The API key or token the person signed in with, kept in sessionStorage (never in a cookie, so no
 * other site can make the browser send it): it lasts as long as the tab and is sent as a bearer
 * header by api.js.
 */

const KEY = 'sluice.credential';

/** @type {Set<() => void>} */
const refusedListeners = new Set();

/** @returns {string | null} */
export function credential() {
  try {
    return window.sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** @param {string} value */
export function signIn(value) {
  window.sessionStorage.setItem(KEY, value);
}

export function signOut() {
  window.sessionStorage.removeItem(KEY);
}

/**
 * Headers that say who is asking: the bearer credential when there is one.
 * @returns {Record<string, string>}
 */
export function authHeaders() {
  const value = credential();
  return value ? { Authorization: `Bearer ${value}` } : {};
}

/**
 * Calls `listener` whenever Sluice answers 401 (no credential, or one it refuses).
 * @param {() => void} listener
 * @returns {() => void} stops listening
 */
export function onRefused(listener) {
  refusedListeners.add(listener);
  return () => refusedListeners.delete(listener);
}

/** Tells every listener that Sluice asked for credentials. */
export function refused() {
  for (const listener of refusedListeners) {
    listener();
  }
}
