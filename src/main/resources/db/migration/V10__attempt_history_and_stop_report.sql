-- Why a batch stopped (docs/api.md, "Why did it stop"). Portable SQL: the same script runs on H2 and
-- PostgreSQL; JSON is kept as text, as elsewhere.

-- Each job's attempts (start, end, error with its HTTP status, the backoff chosen and why), written
-- with every change of the job. Bounded to 50 records (the first and the latest), so a row stays
-- small however often the job is retried or deferred. NULL: no attempt yet, or a row written before
-- this column. Lists of jobs never read it: only a read of one job, and the engines, do.
ALTER TABLE job ADD COLUMN attempt_history VARCHAR;

-- The stop report of the batch's cancellation cause, counted while its jobs stop. NULL: no cause, or
-- one recorded before this column.
ALTER TABLE batch ADD COLUMN cause_report VARCHAR;
-- (The job's error_http_status and the batch's succeeded_millis, which the stop report also reads,
-- came with V9.)
