// How the console words the API's values: one place, so the list and the batch page
// tell the same story in the same words.

export const TERMINAL_STATES = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
export const BATCH_STATES = ['QUEUED', 'RUNNING', 'CANCELLING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
export const JOB_STATES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'SKIPPED'];

/** Milliseconds as people read them: 3.1 ms, 250 ms, 1.2 s, 3 min 4 s. */
export function millis(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A batch's duration: its run's start to its end, or to now while it runs. */
export function batchDuration(batch, now = Date.now()) {
  if (!batch.startedAt) return '—';
  const end = batch.finishedAt ? Date.parse(batch.finishedAt) : now;
  return millis(end - Date.parse(batch.startedAt));
}

/** An instant in the reader's time zone, to the second. */
export function when(instant) {
  if (!instant) return '—';
  return new Date(instant).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/**
 * The cause in one line: "job-003 failed: disk full · 7 stopped in 3.1 ms · 92 never
 * started"; empty for a batch with no cause.
 */
export function causeLine(cancellation) {
  if (!cancellation) return '';
  const parts = [causeHead(cancellation)];
  const report = cancellation.report;
  if (report) {
    if (report.stoppedRunning > 0 || cancellation.propagationMillis !== null) {
      const stopped = `${report.stoppedRunning} stopped`;
      parts.push(cancellation.propagationMillis === null ? stopped
        : `${stopped} in ${millis(cancellation.propagationMillis)}`);
    }
    if (report.neverStarted > 0) parts.push(`${report.neverStarted} never started`);
    if (report.abandoned > 0) parts.push(`${report.abandoned} abandoned`);
  }
  return parts.join(' · ');
}

function causeHead(c) {
  switch (c.cause) {
    case 'JOB_FAILED':
      return `${c.jobId} failed${c.message ? `: ${c.message}` : ''}`;
    case 'MAX_FAILURES_EXCEEDED':
      return `too many failures (last: ${c.jobId}${c.message ? `: ${c.message}` : ''})`;
    case 'FAILURE_RATIO_EXCEEDED':
      return `failure ratio exceeded (last: ${c.jobId}${c.message ? `: ${c.message}` : ''})`;
    case 'SUCCESS_POLICY_MET':
      return `success policy met by ${c.jobId}`;
    case 'SUCCESS_POLICY_UNREACHABLE':
      return `success policy unreachable after ${c.jobId}`;
    case 'USER_REQUESTED':
      return `cancelled by ${c.requestedBy || 'a user'}${c.reason ? `: ${c.reason}` : ''}`;
    case 'DEADLINE_EXCEEDED':
      return 'deadline exceeded';
    case 'SHUTDOWN':
      return 'the service shut down';
    case 'OWNER_LOST':
      return 'the replica running it was lost';
    default:
      return c.cause;
  }
}

/** The counts in words, non-zero states only: "1 failed, 7 cancelled, 92 skipped". */
export function countsLine(counts) {
  const names = ['pending', 'running', 'succeeded', 'failed', 'cancelled', 'skipped'];
  const parts = names.filter((name) => counts[name] > 0).map((name) => `${counts[name]} ${name}`);
  return parts.length ? parts.join(', ') : 'no jobs';
}

/** Seconds as the stop report gives them, to one decimal. */
export function seconds(value) {
  return value === null || value === undefined ? '—' : `${value.toFixed(1)} s`;
}
