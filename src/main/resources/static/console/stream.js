// Follows a batch's server-sent events. EventSource cannot send an Authorization header,
// and the key must not go into the URL, so the stream is read with fetch() and a
// ReadableStream, and parsed here (the text/event-stream format of the HTML standard).
// Like EventSource, it reconnects with the last event id as Last-Event-ID, so a dropped
// connection or a stream's max-lifetime end misses no event.

import { credentialsFor, notifyUnauthorized, ProblemError } from './api.js';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** Worth another try: a timeout, a limit, or the server or a proxy in front of it failing. */
function retryable(status) {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Opens the stream of batch `id`; `onEvent({type, data, id})` gets each event, parsed
 * JSON in `data`. `onEnd()` is called after the terminal batch event, `onError(error)`
 * when the stream is refused for good (404, 401, a 400 of its own). Returns {close()}.
 */
export function follow(id, { onEvent, onEnd = () => {}, onError = () => {} }) {
  const controller = new AbortController();
  let lastEventId = null;
  let retryMillis = 1000;
  let ended = false;
  let failures = 0;

  async function connect() {
    while (!ended && !controller.signal.aborted) {
      try {
        await readOnce();
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof ProblemError && !retryable(error.status)) {
          if (error.status === 401) notifyUnauthorized();
          onError(error);
          return;
        }
        failures++;
      }
      if (ended || controller.signal.aborted) return;
      // The server's retry: hint, growing while reconnects keep failing (a restart, a
      // proxy's 502 during a deploy), so that open pages do not hammer it.
      const backoff = Math.min(retryMillis * 2 ** Math.min(failures, 5), 30000);
      await wait(failures === 0 ? retryMillis : backoff / 2 + Math.random() * backoff / 2, controller.signal);
    }
  }

  async function readOnce() {
    const sender = credentialsFor();
    const headers = { Accept: 'text/event-stream', ...sender.headers };
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    const response = await fetch(`/api/v1/batches/${encodeURIComponent(id)}/events`, {
      headers,
      signal: controller.signal,
      cache: 'no-store',
      credentials: sender.credentials,
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      const retryAfter = Number(response.headers.get('Retry-After'));
      if (retryAfter > 0) retryMillis = retryAfter * 1000;
      throw new ProblemError(response.status, problem);
    }
    failures = 0;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new EventParser((event) => {
      if (event.id !== null) lastEventId = event.id;
      if (event.retry !== null) retryMillis = event.retry;
      if (!event.type && !event.data) return;
      let data = null;
      try {
        data = event.data ? JSON.parse(event.data) : null;
      } catch {
        data = event.data;
      }
      onEvent({ type: event.type || 'message', data, id: event.id ?? lastEventId });
      if (event.type === 'batch' && data && TERMINAL.has(data.state)) {
        ended = true;
        onEnd();
      }
    });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.push(value);
      if (ended) {
        controller.abort();
        return;
      }
    }
  }

  connect();
  return {
    close() {
      ended = true;
      controller.abort();
    },
  };
}

/** Splits the text/event-stream into events: field lines, a blank line ends each. */
class EventParser {
  constructor(dispatch) {
    this.dispatch = dispatch;
    this.buffer = '';
    this.reset();
  }

  reset() {
    this.type = '';
    this.data = [];
    this.id = null;
    this.retry = null;
  }

  push(text) {
    this.buffer += text;
    let end;
    while ((end = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, end);
      const newline = this.buffer.startsWith('\r\n', end) ? 2 : 1;
      this.buffer = this.buffer.slice(end + newline);
      this.line(line);
    }
  }

  line(line) {
    if (line === '') {
      this.dispatch({ type: this.type, data: this.data.join('\n'), id: this.id, retry: this.retry });
      this.reset();
      return;
    }
    if (line.startsWith(':')) return; // a heartbeat comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
  }
}

function wait(millis, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, millis);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
