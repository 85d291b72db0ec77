// @ts-check
import { authHeaders, refused } from './session.js';

/**
 * One server-sent event.
 * @typedef {object} StreamEvent
 * @property {string} event the event's name (`message` when it has none)
 * @property {string} data
 * @property {string | null} id
 */

/**
 * @typedef {object} StreamHandlers
 * @property {() => void} onOpen the stream answered and events may follow
 * @property {(event: StreamEvent) => void} onEvent
 * @property {(refused: boolean) => void} onClose the stream ended (refused: Sluice answered it with
 *   an error instead of a stream; otherwise it ended or the network broke)
 */

/**
 * Reads a server-sent event stream with fetch, which, unlike EventSource, can send the bearer
 * header, so the long-lived credential never goes into a URL. Call the returned function to stop.
 * @param {string} url
 * @param {string | null} lastEventId resumes after this event, as EventSource would
 * @param {StreamHandlers} handlers
 * @returns {() => void}
 */
export function openStream(url, lastEventId, handlers) {
  const controller = new AbortController();
  /** @type {Record<string, string>} */
  const headers = { Accept: 'text/event-stream', ...authHeaders() };
  if (lastEventId) {
    headers['Last-Event-ID'] = lastEventId;
  }
  const read = async () => {
    const response = await fetch(url, { headers, signal: controller.signal, cache: 'no-store' });
    if (response.status === 401) {
      refused();
    }
    if (!response.ok || !response.body) {
      return true;
    }
    handlers.onOpen();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new EventParser(handlers.onEvent);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return false;
      }
      parser.push(value);
    }
  };
  read().then(
    (refusedByServer) => handlers.onClose(refusedByServer),
    () => {
      if (!controller.signal.aborted) {
        handlers.onClose(false);
      }
    },
  );
  return () => controller.abort();
}

/** Splits the text of a stream into events, field by field, as the SSE format defines them. */
class EventParser {
  /** @param {(event: StreamEvent) => void} emit */
  constructor(emit) {
    this.emit = emit;
    this.buffer = '';
    this.event = 'message';
    /** @type {string[]} */
    this.data = [];
    /** @type {string | null} */
    this.id = null;
  }

  /** @param {string} text */
  push(text) {
    this.buffer += text;
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '');
      this.buffer = this.buffer.slice(newline + 1);
      this.line(line);
      newline = this.buffer.indexOf('\n');
    }
  }

  /** @param {string} line */
  line(line) {
    if (line === '') {
      if (this.data.length > 0) {
        this.emit({ event: this.event, data: this.data.join('\n'), id: this.id });
      }
      this.event = 'message';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) {
      return; // a comment: the server's heartbeat
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') {
      this.event = value;
    } else if (field === 'data') {
      this.data.push(value);
    } else if (field === 'id') {
      this.id = value;
    }
  }
}
