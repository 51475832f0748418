// Submit a batch from a JSON editor. The text goes to the API as typed: the API is the
// one validator, and its problem+json field errors (jobs[3].params.duration) are listed
// next to the editor, linked to it, instead of being guessed at here.

import { batches } from '../api.js';
import { h, replace } from '../dom.js';

const EXAMPLE = {
  name: 'example',
  labels: { team: 'data' },
  failurePolicy: 'FAIL_FAST',
  maxParallelism: 4,
  jobs: [
    { id: 'a', type: 'sleep', params: { duration: 'PT2S', steps: 10 } },
    { id: 'b', type: 'sleep', params: { duration: 'PT2S', steps: 10, failAfter: 'PT0.5S', failMessage: 'disk full' } },
    { id: 'c', type: 'sleep', params: { duration: 'PT2S', steps: 10 } },
    { id: 'd', type: 'sleep', params: { duration: 'PT2S', steps: 10 } },
    { id: 'e', type: 'sleep', params: { duration: 'PT2S', steps: 10 } },
  ],
};

/** The example as people write it: the batch's settings on lines, each job on one line. */
function exampleText() {
  const settings = JSON.stringify({ ...EXAMPLE, jobs: [] }, null, 2);
  const jobs = EXAMPLE.jobs.map((job) => `    ${JSON.stringify(job)}`).join(',\n');
  return settings.replace('"jobs": []', `"jobs": [\n${jobs}\n  ]`);
}

export function submitView(main, { may, navigate }) {
  const editor = h('textarea', { id: 'batch-json', name: 'batch', rows: 16, spellcheck: 'false',
    'aria-describedby': 'batch-json-help submit-errors' });
  editor.value = exampleText();
  const errors = h('div', { id: 'submit-errors', role: 'alert' });
  const example = h('button', { type: 'button', class: 'secondary', id: 'use-example' }, 'Reset to the example');
  const submit = h('button', { type: 'submit', id: 'submit-batch' }, 'Submit');
  const form = h('form', { id: 'submit-form', novalidate: true },
    h('div', { class: 'field' },
      h('label', { for: 'batch-json' }, 'Batch (JSON)'),
      h('p', { id: 'batch-json-help', class: 'field-help' },
        'A batch as POST /api/v1/batches takes it (docs/api.md). The example: 5 sleep jobs, 4 at a time; b fails after 0.5 s.'),
      errors,
      editor),
    h('div', { class: 'actions' }, submit, example));
  replace(main, h('h1', {}, 'Submit a batch'),
    may('batches:write') ? form : h('p', { class: 'error-text' }, 'Your key lacks the batches:write scope.'));

  example.addEventListener('click', () => {
    editor.value = exampleText();
    showErrors(null);
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showErrors(null);
    submit.disabled = true;
    try {
      const batch = await batches.submit(editor.value);
      navigate(`#/batches/${batch.id}`);
    } catch (refused) {
      showErrors(refused);
    } finally {
      submit.disabled = false;
    }
  });

  function showErrors(refused) {
    editor.removeAttribute('aria-invalid');
    if (!refused) {
      replace(errors);
      return;
    }
    editor.setAttribute('aria-invalid', 'true');
    const fields = refused.fieldErrors || [];
    replace(errors,
      h('p', { class: 'error-text' }, `Not submitted (${refused.status ?? 'error'}): ${refused.message}`),
      fields.length > 0 && h('ul', { class: 'errors', id: 'field-errors' },
        fields.map((error) => h('li', { 'data-field': error.field }, h('code', {}, error.field), ` ${error.message}`))));
  }
}
