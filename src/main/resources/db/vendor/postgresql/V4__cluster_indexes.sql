-- Partial indexes of the cluster mode, PostgreSQL only: rows outside their WHERE are not indexed,
-- so a single instance, which never sets version or owner_node, pays nothing for them.

-- An event stream's poll: the jobs of a batch changed since a version.
CREATE INDEX job_changes ON job (batch_id, version) WHERE version > 0;
-- Settling the jobs of a replica whose lease expired ('' for jobs no replica claimed).
CREATE INDEX job_running_owner ON job ((COALESCE(owner_node, ''))) WHERE state = 'RUNNING';
