-- simstream core schema: simulations, the frame index, analysis results, optimisation jobs,
-- API keys, detector checkpoints. Every write into these tables is an idempotent upsert keyed
-- by its natural identity, so replays (at-least-once delivery) change nothing.

CREATE TABLE simulations (
  simulation_id        text PRIMARY KEY,
  tenant               text NOT NULL,
  kind                 text,
  attributes           jsonb NOT NULL DEFAULT '{}'::jsonb,
  frames               bigint NOT NULL DEFAULT 0,
  first_step           bigint,
  last_step            bigint,
  first_seen           timestamptz NOT NULL DEFAULT now(),
  last_seen            timestamptz NOT NULL DEFAULT now(),
  neuromorphic_results bigint NOT NULL DEFAULT 0,
  quantum_results      bigint NOT NULL DEFAULT 0,
  last_anomaly_score   double precision,
  -- Bumped by the materializer on every change: cache keys include it, so new data makes
  -- stale cache entries unreachable without scanning for them.
  version              bigint NOT NULL DEFAULT 0
);
CREATE INDEX simulations_by_tenant ON simulations (tenant, simulation_id);

-- One row per frame: where it is in Kafka and per-field summary statistics
-- ([{name, dtype, shape, codec, bytes, min, max, mean, std, l2}]).
CREATE TABLE frames (
  simulation_id   text NOT NULL,
  step            bigint NOT NULL,
  sim_time        double precision NOT NULL,
  frame_id        uuid NOT NULL,
  ingested_at     timestamptz NOT NULL,
  bytes           bigint NOT NULL,
  kafka_partition integer NOT NULL,
  kafka_offset    bigint NOT NULL,
  fields          jsonb NOT NULL,
  PRIMARY KEY (simulation_id, step)
);

-- Analysis results: exactly one per (simulation, kind, step).
CREATE TABLE results (
  simulation_id   text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('neuromorphic', 'quantum')),
  step            bigint NOT NULL,
  sim_time        double precision NOT NULL,
  score           double precision,
  payload         jsonb NOT NULL,
  produced_at     timestamptz NOT NULL,
  materialized_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (simulation_id, kind, step)
);
CREATE INDEX results_by_time ON results (simulation_id, kind, produced_at);

-- Optimisation jobs submitted by users (quantum service), and their outcome.
CREATE TABLE jobs (
  job_id           uuid PRIMARY KEY,
  tenant           text NOT NULL,
  idempotency_key  text,
  status           text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  problem_kind     text NOT NULL,
  variables        integer NOT NULL,
  solver           text NOT NULL,
  params           jsonb NOT NULL DEFAULT '{}'::jsonb,
  submitted_at     timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  cancel_requested boolean NOT NULL DEFAULT false,
  worker           text,
  result           jsonb,
  error            text,
  UNIQUE (tenant, idempotency_key)
);
CREATE INDEX jobs_by_tenant ON jobs (tenant, submitted_at DESC);

-- API keys of the gateway: the secret is stored only as a salted hash.
CREATE TABLE api_keys (
  key_id       text PRIMARY KEY,
  tenant       text NOT NULL,
  name         text NOT NULL,
  secret_hash  text NOT NULL,
  scopes       text[] NOT NULL CHECK (scopes <@ ARRAY['ingest', 'read', 'admin']::text[] AND cardinality(scopes) > 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant);

-- Spiking-detector state per simulation, with the last step it covers (neuromorphic service).
CREATE TABLE detector_checkpoints (
  simulation_id text PRIMARY KEY,
  step          bigint NOT NULL,
  model         text NOT NULL,
  state         bytea NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
