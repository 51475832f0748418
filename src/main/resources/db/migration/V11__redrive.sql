-- Redrive (issue 17): a terminal batch runs some of its jobs again, as its next run.
-- The run each job belongs to: 1, or the redrive that last ran it again.
ALTER TABLE job ADD COLUMN run INTEGER DEFAULT 1 NOT NULL;
-- The redrive that started the batch's current run, as JSON text (requestedAt, requestedBy, jobs, and
-- the Idempotency-Key it came with and its request's fingerprint); NULL in the first run.
ALTER TABLE batch ADD COLUMN redrive VARCHAR;
-- The runs before the current one, oldest first, as a JSON array of their number, times, end state,
-- cause (with its stop report) and redrive. Bounded by failfast.limits.max-redrives; NULL until the
-- first redrive.
ALTER TABLE batch ADD COLUMN past_runs VARCHAR;
