// One batch: its state, counts as a bar, the cause as a banner with the stop report, the
// timeline filled live from the batch's event stream, and a paged job table. What it
// costs the API (docs/benchmarks.md): one read of the batch, one event stream while the
// batch is active, the pages of started jobs the timeline needs (only states with jobs),
// and one page of the table at most every TABLE_REFRESH_MILLIS while events come in.

import { batches } from '../api.js';
import { confirmDialog } from '../dialog.js';
import { h, replace } from '../dom.js';
import { JOB_STATES, TERMINAL_STATES, batchDuration, causeLine, millis, seconds, when } from '../format.js';
import { follow } from '../stream.js';
import { Timeline } from '../timeline.js';

const TIMELINE_PAGE = 1000;
const PAGE_READERS = 3;
const TABLE_PAGE = 50;
const TABLE_REFRESH_MILLIS = 2000;
const STARTED_STATES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
const COUNTED = ['succeeded', 'failed', 'cancelled', 'skipped', 'running', 'pending'];

export function batchView(main, { may, navigate }, id) {
  const aborter = new AbortController();
  let stream = null;
  let batch = null;
  let streamEvents = 0;

  const title = h('h1', { id: 'batch-title' }, 'Batch');
  const state = h('span', { id: 'batch-state', class: 'state' });
  const actions = h('div', { class: 'actions', id: 'batch-actions' });
  const facts = h('dl', { class: 'facts', id: 'batch-facts' });
  const bar = h('div', { class: 'counts-bar', id: 'counts-bar', role: 'img' });
  const legend = h('ul', { class: 'legend', id: 'counts' });
  const banner = h('section', { class: 'banner', id: 'cause-banner', 'aria-labelledby': 'cause-title', hidden: true });
  // Named by its caption, which says the same picture in words: read once, not twice.
  const canvas = h('canvas', { class: 'timeline', id: 'timeline', role: 'img', 'aria-labelledby': 'timeline-caption' });
  const caption = h('p', { id: 'timeline-caption', class: 'muted' });
  const live = h('p', { id: 'live', class: 'muted', role: 'status' });
  const message = h('p', { id: 'batch-message', role: 'alert', class: 'error-text' });
  const timeline = new Timeline(canvas, caption);
  const table = jobTable(id, aborter.signal);

  replace(main,
    h('p', {}, h('a', { href: '#/' }, '← Batches')),
    h('div', { class: 'spread' }, h('div', {}, title, state), actions),
    message,
    facts,
    h('h2', {}, 'Jobs by state'), bar, legend,
    banner,
    h('h2', {}, 'Timeline'),
    h('ul', { class: 'legend', 'aria-label': 'Timeline colours' },
      h('li', { class: 'key-tl-running' }, 'running'), h('li', { class: 'key-tl-succeeded' }, 'succeeded'),
      h('li', { class: 'key-tl-failed' }, 'failed'), h('li', { class: 'key-tl-cancelled' }, 'cancelled (▼ where it stopped)'),
      h('li', { class: 'key-tl-cause' }, 'dashed line: the cause')),
    canvas, caption, live,
    table.element);

  function show(next) {
    batch = next;
    title.textContent = batch.name || batch.id;
    state.textContent = batch.state;
    state.className = `state state-${batch.state}`;
    replace(facts,
      fact('Id', batch.id), fact('Submitted', `${when(batch.createdAt)} by ${batch.submittedBy}`),
      fact('Policy', `${batch.failurePolicy}, ${batch.maxParallelism} at a time`),
      fact('Duration', batchDuration(batch)),
      Object.keys(batch.labels || {}).length > 0
        && fact('Labels', Object.entries(batch.labels).map(([k, v]) => `${k}:${v}`).join(', ')),
      batch.run > 1 && fact('Run', `${batch.run} (redriven ${batch.run - 1} times)`));
    showCounts(batch.counts);
    showCause(batch.cancellation);
    showActions();
    timeline.setBatch(batch);
  }

  let countsShown = null;

  function showCounts(counts) {
    // Unchanged counts are left as they are: the status is read again every second.
    const shown = JSON.stringify(counts);
    if (shown === countsShown) return;
    countsShown = shown;
    const total = Math.max(counts.total, 1);
    replace(bar, COUNTED.filter((name) => counts[name] > 0).map((name) => {
      const segment = h('span', { class: `seg-${name}` });
      segment.style.flexGrow = String(counts[name] / total); // CSSOM, allowed by the CSP
      return segment;
    }));
    const words = COUNTED.map((name) => `${counts[name]} ${name}`).join(', ');
    bar.setAttribute('aria-label', `${counts.total} jobs: ${words}`);
    replace(legend, h('li', { class: 'key-total' }, `${counts.total} total`),
      COUNTED.map((name) => h('li', { class: `key-${name}`, 'data-count': name }, `${counts[name]} ${name}`)));
  }

  function showCause(cancellation) {
    banner.hidden = !cancellation;
    if (!cancellation) return;
    const report = cancellation.report;
    replace(banner,
      h('h2', { id: 'cause-title' }, 'Why it stopped'),
      h('p', { id: 'cause-line' }, causeLine(cancellation)),
      h('dl', { class: 'report', id: 'stop-report' },
        stat('Cause', cancellation.cause),
        stat('Requested', when(cancellation.requestedAt)),
        stat('Propagation', millis(cancellation.propagationMillis)),
        report && [
          stat('Running at the cause', report.runningAtCause), stat('Stopped running', report.stoppedRunning),
          stat('Never started', report.neverStarted), stat('Abandoned', report.abandoned),
          stat('Work discarded', seconds(report.discardedJobSeconds)),
          stat('Work saved', seconds(report.savedJobSeconds)),
        ]));
  }

  function showActions() {
    const ended = TERMINAL_STATES.has(batch.state);
    const stopped = batch.counts.failed + batch.counts.cancelled + batch.counts.skipped > 0;
    const offered = [!ended && may('batches:cancel') && 'cancel', ended && stopped && may('batches:write') && 'redrive',
      ended && may('batches:delete') && 'delete'].filter(Boolean).join(' ');
    // Rebuilt only when the offer changes: a button replaced under the pointer or the
    // keyboard focus at each event would lose the click and the focus.
    if (actions.dataset.offered === offered) return;
    actions.dataset.offered = offered;
    replace(actions,
      offered.includes('cancel') && button('cancel-batch', 'Cancel…', 'danger', cancel),
      offered.includes('redrive') && button('redrive-batch', 'Redrive…', '', redrive),
      offered.includes('delete') && button('delete-batch', 'Delete…', 'secondary', remove));
  }

  async function cancel() {
    const answer = await confirmDialog({ id: 'cancel-dialog', title: 'Cancel this batch?', confirm: 'Cancel the batch',
      danger: true, reason: true,
      text: 'Jobs not started are skipped and running ones are interrupted. This cannot be undone.' });
    if (answer.confirmed) act(() => batches.cancel(id, answer.reason), (next) => show(next));
  }

  async function redrive() {
    const answer = await confirmDialog({ id: 'redrive-dialog', title: 'Redrive this batch?', confirm: 'Redrive',
      text: 'Its FAILED, CANCELLED and SKIPPED jobs run again as its next run; jobs that succeeded keep their results.' });
    if (answer.confirmed) act(() => batches.redrive(id), () => navigate(`#/batches/${id}`));
  }

  async function remove() {
    const answer = await confirmDialog({ id: 'delete-dialog', title: 'Delete this batch?', confirm: 'Delete for good',
      danger: true, text: 'The batch and its jobs are removed for good.' });
    if (answer.confirmed) act(() => batches.remove(id), () => navigate('#/'));
  }

  async function act(call, then) {
    message.textContent = '';
    try {
      then(await call());
    } catch (error) {
      message.textContent = error.message;
    }
  }

  function onEvent(event) {
    if (event.type === 'batch') {
      show(event.data);
      table.refreshSoon();
    } else if (event.type === 'job') {
      streamEvents++;
      canvas.dataset.streamEvents = String(streamEvents);
      timeline.upsert(event.data);
      table.refreshSoon();
      statusSoon();
    } else if (event.type === 'reset' || event.type === 'lagged') {
      // Events were lost: the jobs are read again once the status that follows comes,
      // with its counts (those shown now are stale).
      reloadAtNextBatchEvent = true;
    }
  }

  /**
   * Job events carry the job only, and batch events come at state changes: the counts
   * and the duration are read again, at most once a second while jobs change. The live
   * region is told then too, not at every event, which would flood a screen reader.
   */
  let statusTimer = null;
  function statusSoon() {
    if (statusTimer !== null) return;
    statusTimer = setTimeout(async () => {
      statusTimer = null;
      live.textContent = `Live: ${streamEvents} job events received.`;
      try {
        const fresh = await batches.get(id, aborter.signal);
        // A terminal batch event may have come while this read was on its way.
        if (!TERMINAL_STATES.has(batch.state)) show(fresh);
      } catch {
        // Navigated away, or the service is restarting: the stream's next event tells.
      }
    }, 1000);
  }

  /**
   * Reads the started jobs into the timeline, a page of TIMELINE_PAGE at a time, for the
   * states that have jobs only. After a state's first page tells how many there are, the
   * rest are read PAGE_READERS at a time: a 100 000-job batch is 100 pages, and one
   * after the other they would wait on each other's round trips.
   */
  let loading = null;
  let loadAgain = null;

  /**
   * One reading of the jobs at a time: a second asked for meanwhile (the batch ended as
   * the stream opened, events were lost) runs once the first is done, with the newest
   * counts, instead of reading every page twice at once.
   */
  function loadTimeline(current) {
    if (loading) {
      loadAgain = current;
      return loading;
    }
    loading = readTimeline(current).finally(() => {
      loading = null;
      const next = loadAgain;
      loadAgain = null;
      if (next && !aborter.signal.aborted) loadTimeline(next);
    });
    return loading;
  }

  async function readTimeline(current) {
    const read = async (jobState, page) => {
      const result = await batches.jobs(id, { state: jobState, page, size: TIMELINE_PAGE }, aborter.signal);
      result.content.forEach((job) => timeline.upsert(job));
      return result.page.totalPages;
    };
    try {
      for (const jobState of STARTED_STATES) {
        if (!current.counts[jobState.toLowerCase()]) continue;
        const pages = await read(jobState, 0);
        let next = 1;
        const reader = async () => {
          while (next < pages && !aborter.signal.aborted) await read(jobState, next++);
        };
        await Promise.all(Array.from({ length: PAGE_READERS }, reader));
      }
      if (!aborter.signal.aborted) performance.mark('console:timeline-complete');
    } catch (error) {
      if (error.name !== 'AbortError') caption.textContent = `Could not read the jobs: ${error.message}`;
    }
  }

  // The stream first, the pages of started jobs after its first batch event: a job that
  // starts or ends in between comes as an event, so the timeline misses nothing.
  let firstBatchEvent = true;
  let reloadAtNextBatchEvent = false;

  function onBatchEvent(next) {
    if (firstBatchEvent || reloadAtNextBatchEvent) {
      firstBatchEvent = false;
      reloadAtNextBatchEvent = false;
      loadTimeline(next);
    }
  }

  function onStreamEnd() {
    live.textContent = streamEvents ? `Ended: ${streamEvents} job events received live.` : 'Ended.';
    table.refreshSoon();
    // Opened just as the batch ended, the stream may have carried only its final status
    // (a reading already under way does not count yet: it is waited for, not repeated).
    if (!loading && timeline.jobs.size < started(batch.counts)) loadTimeline(batch);
  }

  (async () => {
    try {
      show(await batches.get(id, aborter.signal));
      performance.mark('console:batch-rendered');
      table.load();
      if (TERMINAL_STATES.has(batch.state)) {
        await loadTimeline(batch);
        return;
      }
      stream = follow(id, {
        onEvent: (event) => {
          onEvent(event);
          if (event.type === 'batch') onBatchEvent(event.data);
        },
        onEnd: onStreamEnd,
        onError: (error) => {
          live.textContent = `The live stream stopped: ${error.message}`;
        },
      });
    } catch (error) {
      if (error.name === 'AbortError') return;
      message.textContent = error.status === 404 ? 'No such batch.' : `Could not read the batch: ${error.message}`;
    }
  })();

  return () => {
    aborter.abort();
    stream?.close();
    timeline.dispose();
    table.dispose();
  };
}

/** The paged job table, filtered by state, using the API's paging (never every job). */
function jobTable(id, signal) {
  let page = 0;
  let filter = '';
  let timer = 0;
  let lastLoad = 0;
  const select = h('select', { id: 'jobs-state' },
    h('option', { value: '' }, 'Any state'), JOB_STATES.map((s) => h('option', { value: s }, s)));
  const body = h('tbody', { id: 'jobs' });
  const previous = h('button', { type: 'button', class: 'secondary', id: 'jobs-previous' }, 'Previous');
  const next = h('button', { type: 'button', class: 'secondary', id: 'jobs-next' }, 'Next');
  const pageText = h('span', { class: 'muted', id: 'jobs-page' });
  const element = h('section', { 'aria-labelledby': 'jobs-title' },
    h('h2', { id: 'jobs-title' }, 'Jobs'),
    h('div', { class: 'row' }, h('div', {}, h('label', { for: 'jobs-state' }, 'State'), select)),
    h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Jobs table' },
      h('table', {},
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Job'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'State'),
          h('th', { scope: 'col', class: 'num' }, 'Attempts'), h('th', { scope: 'col', class: 'num' }, 'Duration'),
          h('th', { scope: 'col' }, 'Error or cause'))),
        body)),
    h('div', { class: 'pager' }, previous, pageText, next));

  let lastShown = null;

  async function load() {
    clearTimeout(timer);
    timer = 0;
    lastLoad = Date.now();
    try {
      const result = await batches.jobs(id, { state: filter, page, size: TABLE_PAGE }, signal);
      // Rows are built again only when the page changed: rebuilding an unchanged page
      // would take the keyboard focus (and a pointer's target) away from its links.
      const shown = JSON.stringify([filter, page, result.content]);
      if (shown === lastShown) return;
      lastShown = shown;
      replace(body, result.content.map((job) => h('tr', { 'data-job': job.id },
        h('td', {}, h('a', { href: `#/batches/${id}/jobs/${encodeURIComponent(job.id)}` }, job.id)),
        h('td', {}, job.type),
        h('td', {}, h('span', { class: `state state-${job.state}` }, job.state)),
        h('td', { class: 'num' }, job.attempts),
        h('td', { class: 'num' }, job.durationMillis === null ? '—' : millis(job.durationMillis)),
        h('td', { class: 'cause' }, job.error ? `${job.error.type}: ${job.error.message}`
          : job.stoppedBy ? `stopped by ${job.stoppedBy.cause}${job.stoppedBy.jobId ? ` (${job.stoppedBy.jobId})` : ''}`
            : ''))));
      if (!result.content.length) replace(body, h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No jobs.')));
      previous.disabled = page === 0;
      next.disabled = page + 1 >= result.page.totalPages;
      pageText.textContent = `Page ${page + 1} of ${Math.max(result.page.totalPages, 1)} · ${result.page.totalElements} jobs`;
    } catch (error) {
      if (error.name !== 'AbortError') pageText.textContent = `Could not list the jobs: ${error.message}`;
    }
  }

  select.addEventListener('change', () => {
    filter = select.value;
    page = 0;
    load();
  });
  previous.addEventListener('click', () => {
    page = Math.max(0, page - 1);
    load();
  });
  next.addEventListener('click', () => {
    page += 1;
    load();
  });
  return {
    element,
    load,
    /** At most one page read per TABLE_REFRESH_MILLIS, however many events arrive. */
    refreshSoon() {
      if (timer) return;
      timer = setTimeout(load, Math.max(0, lastLoad + TABLE_REFRESH_MILLIS - Date.now()));
    },
    dispose() {
      clearTimeout(timer);
    },
  };
}

/** Jobs that have started: those the timeline draws. */
function started(counts) {
  return counts.running + counts.succeeded + counts.failed + counts.cancelled;
}

function fact(name, value) {
  return [h('dt', {}, name), h('dd', {}, value)];
}

function stat(name, value) {
  return h('div', {}, h('dt', {}, name), h('dd', {}, value));
}

function button(id, text, kind, onClick) {
  const element = h('button', { type: 'button', id, class: kind }, text);
  element.addEventListener('click', onClick);
  return element;
}
