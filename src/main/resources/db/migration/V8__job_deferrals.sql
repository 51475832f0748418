-- Attempts of a job whose target asked to be called again later (RetryLaterException, such as an
-- HTTP 429 or 503 with Retry-After): they ran, but count against neither maxAttempts nor the
-- failure policy, and failfast.engine.max-deferrals-per-job bounds them. Kept with the job so the
-- bound holds on whichever replica runs its next attempt.
ALTER TABLE job ADD COLUMN deferrals INTEGER DEFAULT 0 NOT NULL;
