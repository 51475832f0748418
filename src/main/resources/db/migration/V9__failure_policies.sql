-- Failure policies (issue 17): tolerance by ratio, rules per error, success policies.
-- The batch's policies as JSON text (maxFailureRatio, minJobsForRatio, onError, succeedWhen); NULL for
-- a batch that has none, as every batch stored before this version.
ALTER TABLE batch ADD COLUMN policies VARCHAR;
-- No absolute failure limit: a FAIL_FAST batch judged by its maxFailureRatio alone.
ALTER TABLE batch ALTER COLUMN max_failures DROP NOT NULL;
-- Counters beside the per-state ones, so judging a policy costs O(1) whatever the batch's size:
-- FAILED jobs whose failure an IGNORE rule excused, jobs named by succeedWhen.jobIds that
-- succeeded, and the summed durations of the succeeded jobs' last attempts (for the stop report).
ALTER TABLE batch ADD COLUMN ignored_failures INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE batch ADD COLUMN listed_succeeded INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE batch ADD COLUMN succeeded_millis BIGINT DEFAULT 0 NOT NULL;
-- The onError rule (onError[2]) whose FAIL_BATCH action recorded the cause.
ALTER TABLE batch ADD COLUMN cause_rule VARCHAR(64);
-- A FAILED job whose failure an IGNORE rule excused.
ALTER TABLE job ADD COLUMN ignored BOOLEAN DEFAULT FALSE NOT NULL;
-- The HTTP status the last attempt's error carries, which onError rules match on.
ALTER TABLE job ADD COLUMN error_http_status INTEGER;
