-- quantum service: the last K-step bucket each simulation has a partition result for (so a
-- restart or a partition moving to another pod never solves a bucket twice from a different
-- frame), and leases on running jobs (so a job whose pod died is taken over, and a live pod
-- renewing its lease also learns of a cancel request).

CREATE TABLE quantum_buckets (
  simulation_id text PRIMARY KEY,
  -- First step of the last bucket whose result is durable in simstream.quantum.results.v1.
  bucket_step   bigint NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE jobs ADD COLUMN lease_until timestamptz;
CREATE INDEX jobs_active ON jobs (status) WHERE status IN ('queued', 'running');
