-- 0021_webhooks.sql — issue 27: signed webhooks. A webhook is a URL, a Standard Webhooks
-- secret, the stream's filters, and a cursor: the resume key (audit entry id) of the last
-- change it has handled, delivered or skipped by its filters. Deliveries follow the change
-- feed in commit order from the cursor (server/webhooks.c; sql/functions/20_webhooks.sql).
CREATE TABLE webhooks (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	url text NOT NULL CHECK (length(url) <= 2048),
	secret text NOT NULL,
	entities text[] NOT NULL DEFAULT '{}',	 -- empty: every entity
	operations text[] NOT NULL DEFAULT '{}', -- empty: every operation
	org_id uuid,	-- the filters (NULL: any); ids kept even if the record is deleted later
	team_id uuid,
	person_id uuid,
	after_id bigint NOT NULL,	-- where deliveries started (or were restarted by redeliver)
	cursor bigint NOT NULL,		-- the last change handled
	enabled boolean NOT NULL DEFAULT true,
	disabled_reason text,
	-- The message being retried: when it first failed, failures so far, the next attempt.
	failing_since timestamptz,
	failures integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz,
	created_by text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE webhooks IS
	'Webhooks: where to POST the changes matching their filters, signed with their secret; cursor is the last change handled.';

CREATE TABLE webhook_deliveries (
	webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	change_id bigint NOT NULL,
	status text NOT NULL CHECK (status IN ('delivered', 'failed', 'pending')),
	attempts integer NOT NULL DEFAULT 0,
	last_error text,
	response_status integer,
	response_ms integer,
	last_attempt_at timestamptz,
	next_attempt_at timestamptz,
	PRIMARY KEY (webhook_id, change_id)
);
CREATE INDEX webhook_deliveries_recent_idx ON webhook_deliveries (webhook_id, last_attempt_at DESC);
COMMENT ON TABLE webhook_deliveries IS
	'One row per change a webhook tried to deliver: its outcome so far (pending: to be retried).';
