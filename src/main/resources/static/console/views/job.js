// One job: its params as the API shows them (already redacted by its job type: the
// console never sees a secret to hide), its result, its error and its attempt history.

import { batches } from '../api.js';
import { h, replace } from '../dom.js';
import { millis, when } from '../format.js';

export function jobView(main, _context, batchId, jobId) {
  const aborter = new AbortController();
  const back = h('p', {}, h('a', { href: `#/batches/${batchId}` }, '← The batch'));
  replace(main, back, h('h1', { id: 'job-title' }, `Job ${jobId}`), h('p', { class: 'muted' }, 'Loading…'));

  (async () => {
    try {
      const job = await batches.job(batchId, jobId, aborter.signal);
      replace(main, back,
        h('h1', { id: 'job-title' }, `Job ${job.id} `, h('span', { id: 'job-state', class: `state state-${job.state}` }, job.state)),
        h('dl', { class: 'facts' },
          fact('Type', job.type), fact('Run', job.run), fact('Attempts', `${job.attempts} (${job.deferrals} deferred)`),
          fact('Started', when(job.startedAt)), fact('Finished', when(job.finishedAt)),
          fact('Duration', job.durationMillis === null ? '—' : millis(job.durationMillis)),
          job.timeout && fact('Timeout', job.timeout),
          job.stoppedBy && fact('Stopped by', `${job.stoppedBy.cause}${job.stoppedBy.jobId ? ` of ${job.stoppedBy.jobId}` : ''}`
            + ` at ${when(job.stoppedBy.requestedAt)}`),
          job.abandoned && fact('Abandoned', 'it ignored its cancellation past the grace period'),
          job.ignored && fact('Ignored', 'an IGNORE rule excused its failure')),
        h('div', { class: 'grid2' },
          block('Params', 'job-params', job.params),
          block('Result', 'job-result', job.result),
          block('Error', 'job-error', job.error)),
        history(job));
    } catch (error) {
      if (error.name === 'AbortError') return;
      replace(main, back, h('h1', {}, `Job ${jobId}`),
        h('p', { role: 'alert', class: 'error-text' }, error.status === 404 ? 'No such job.' : error.message));
    }
  })();
  return () => aborter.abort();
}

function block(title, id, value) {
  return h('section', { 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    value === null || value === undefined ? h('p', { class: 'muted', id }, 'None')
      : h('pre', { id, tabindex: '0' }, JSON.stringify(value, null, 2)));
}

function history(job) {
  const attempts = job.attemptHistory || [];
  return h('section', { 'aria-labelledby': 'attempts-title' },
    h('h2', { id: 'attempts-title' }, 'Attempts'),
    job.droppedAttempts ? h('p', { class: 'muted' }, `${job.droppedAttempts} attempts left out between the first and the latest.`) : null,
    attempts.length === 0 ? h('p', { class: 'muted' }, 'No attempt started.')
      : h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Attempt history' },
        h('table', { id: 'attempts' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, 'Run'), h('th', { scope: 'col' }, 'Attempt'), h('th', { scope: 'col' }, 'Started'),
            h('th', { scope: 'col', class: 'num' }, 'Took'), h('th', { scope: 'col' }, 'Outcome'),
            h('th', { scope: 'col' }, 'Error'), h('th', { scope: 'col' }, 'Then'))),
          h('tbody', {}, attempts.map((attempt) => h('tr', {},
            h('td', {}, attempt.run), h('td', {}, attempt.number), h('td', {}, when(attempt.startedAt)),
            h('td', { class: 'num' }, attempt.endedAt ? millis(Date.parse(attempt.endedAt) - Date.parse(attempt.startedAt)) : 'running'),
            h('td', {}, attempt.outcome ?? 'running', attempt.abandoned ? ' (abandoned)' : ''),
            h('td', {}, attempt.error ? `${attempt.error.type}: ${attempt.error.message}` : ''),
            h('td', {}, [attempt.rule, attempt.backoffReason].filter(Boolean).join(' · ')))))))); 
}

function fact(name, value) {
  return [h('dt', {}, name), h('dd', {}, value)];
}
