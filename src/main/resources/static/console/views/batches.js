// The batches of the caller's tenant, newest first, filtered by state and label, with
// the cause in one line. Live by polling one page every few seconds (one request per
// POLL_MILLIS per open page, none while the tab is hidden): a list has no event stream,
// and one small page is cheaper than a stream per batch.

import { batches } from '../api.js';
import { h, replace } from '../dom.js';
import { BATCH_STATES, batchDuration, causeLine, countsLine, when } from '../format.js';

const POLL_MILLIS = 3000;
const PAGE_SIZE = 20;

export function batchesView(main, { may }) {
  const filter = { state: '', label: '', page: 0 };
  const state = h('select', { id: 'filter-state', name: 'state' },
    h('option', { value: '' }, 'Any state'), BATCH_STATES.map((s) => h('option', { value: s }, s)));
  const label = h('input', { id: 'filter-label', name: 'label', placeholder: 'team:data', size: 18 });
  const form = h('form', { class: 'row', id: 'filters', role: 'search', 'aria-label': 'Filter batches' },
    h('div', {}, h('label', { for: 'filter-state' }, 'State'), state),
    h('div', {}, h('label', { for: 'filter-label' }, 'Label (key:value)'), label),
    h('button', { type: 'submit' }, 'Filter'));
  const status = h('p', { id: 'list-status', class: 'muted', role: 'status' });
  const body = h('tbody', { id: 'batches' });
  const table = h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Batches' },
    h('table', {},
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Batch'), h('th', { scope: 'col' }, 'State'),
        h('th', { scope: 'col', class: 'num' }, 'Jobs'), h('th', { scope: 'col' }, 'Counts'),
        h('th', { scope: 'col', class: 'hide-narrow' }, 'Created'), h('th', { scope: 'col', class: 'num' }, 'Duration'),
        h('th', { scope: 'col' }, 'Cause'))),
      body));
  const previous = h('button', { type: 'button', class: 'secondary', id: 'list-previous' }, 'Newer');
  const next = h('button', { type: 'button', class: 'secondary', id: 'list-next' }, 'Older');
  const pageText = h('span', { class: 'muted' });
  const newBatch = may('batches:write') ? h('a', { href: '#/submit', id: 'new-batch' }, 'Submit a batch') : null;

  replace(main, h('div', { class: 'spread' }, h('h1', {}, 'Batches'), newBatch), form, status, table,
    h('div', { class: 'pager' }, previous, pageText, next));

  let timer = 0;
  let stopped = false;
  let inFlight = null;

  async function load() {
    clearTimeout(timer);
    inFlight?.abort();
    inFlight = new AbortController();
    try {
      const page = await batches.list({ state: filter.state, label: filter.label, page: filter.page, size: PAGE_SIZE },
        inFlight.signal);
      render(page);
      const text = `${page.page.totalElements} batches`;
      // A status region announces each change: only a real one.
      if (status.textContent !== text) status.textContent = text;
    } catch (error) {
      if (error.name === 'AbortError') return;
      status.textContent = `Could not list the batches: ${error.message}`;
    }
    if (!stopped) timer = setTimeout(poll, POLL_MILLIS);
  }

  function poll() {
    if (document.hidden) timer = setTimeout(poll, POLL_MILLIS);
    else load();
  }

  function render(page) {
    // Rebuilt at every poll (durations move on): the keyboard focus goes back to the
    // same batch's link, so a keyboard user does not lose their place.
    const focused = document.activeElement?.closest?.('tr[data-batch]')?.dataset.batch;
    replace(body, page.content.map(row));
    if (focused) body.querySelector(`tr[data-batch="${CSS.escape(focused)}"] a`)?.focus();
    if (!page.content.length) {
      replace(body, h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No batches yet.')));
    }
    previous.disabled = filter.page === 0;
    next.disabled = filter.page + 1 >= page.page.totalPages;
    pageText.textContent = page.page.totalPages ? `Page ${filter.page + 1} of ${page.page.totalPages}` : '';
  }

  function row(batch) {
    return h('tr', { 'data-batch': batch.id },
      h('td', {}, h('a', { href: `#/batches/${batch.id}` }, batch.name || batch.id.slice(0, 8))),
      h('td', {}, h('span', { class: `state state-${batch.state}` }, batch.state)),
      h('td', { class: 'num' }, batch.counts.total),
      h('td', {}, countsLine(batch.counts)),
      h('td', { class: 'hide-narrow' }, when(batch.createdAt)),
      h('td', { class: 'num' }, batchDuration(batch)),
      h('td', { class: 'cause' }, causeLine(batch.cancellation)));
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    Object.assign(filter, { state: state.value, label: label.value.trim(), page: 0 });
    load();
  });
  state.addEventListener('change', () => form.requestSubmit());
  previous.addEventListener('click', () => {
    filter.page = Math.max(0, filter.page - 1);
    load();
  });
  next.addEventListener('click', () => {
    filter.page += 1;
    load();
  });
  load();
  return () => {
    stopped = true;
    clearTimeout(timer);
    inFlight?.abort();
  };
}
