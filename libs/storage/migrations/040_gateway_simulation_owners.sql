-- Gateway: which tenant owns a simulation id. Ids are global; the first tenant to upload frames
-- for an id through the gateway claims it (one atomic insert, so two replicas racing for the
-- same new id cannot both win). Simulations materialized before any claim (frames sent straight
-- to ingestion, e.g. by the CLI) are claimed for the tenant recorded in `simulations`.
CREATE TABLE gateway_simulation_owners (
  simulation_id text PRIMARY KEY,
  tenant        text NOT NULL,
  claimed_at    timestamptz NOT NULL DEFAULT now()
);
