-- The instance lease row (id 1) now always exists: a free lease has owner '' instead of no row.
-- An instance and a cluster replica starting at once both lock this row (SELECT … FOR UPDATE)
-- before they look at each other's leases, so exactly one of them starts. With no row, as after a
-- clean shutdown before, that lock locked nothing and both could start.
INSERT INTO instance_lease (id, owner, acquired_at, expires_at)
SELECT 1, '', TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00:00', TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00:00'
WHERE NOT EXISTS (SELECT 1 FROM instance_lease WHERE id = 1);
