-- 20_webhooks.sql — webhooks (issue 27): their documents, the writes of POST/DELETE
-- /webhooks and POST /webhooks/{id}/redeliver, and what the deliverer (server/webhooks.c)
-- records after each attempt. Tables: sql/schema/0021_webhooks.sql.

-- A webhook as the API shows it; the secret never (only POST /webhooks's answer adds it).
CREATE OR REPLACE FUNCTION public.ow_webhook_doc(w webhooks)
 RETURNS jsonb LANGUAGE sql STABLE AS $function$
	-- The filters as a person writes them: slugs (org/team for a team); the id when the
	-- record is gone.
	SELECT jsonb_build_object('id', w.id, 'url', w.url, 'entity', to_jsonb(w.entities),
		'operation', to_jsonb(w.operations),
		'org', coalesce((SELECT o.slug FROM organizations o WHERE o.id = w.org_id), w.org_id::text),
		'team', coalesce((SELECT o.slug || '/' || t.slug FROM teams t JOIN organizations o
			ON o.id = t.org_id WHERE t.id = w.team_id), w.team_id::text),
		'person', coalesce((SELECT p.slug FROM people p WHERE p.id = w.person_id),
			w.person_id::text),
		'enabled', w.enabled, 'disabled_reason', w.disabled_reason,
		'after', w.after_id, 'cursor', w.cursor, 'created_at', ow_ts(w.created_at))
$function$;

-- The resume key `after` (NULL: the newest change now), checked: OW400 (field `field`) when
-- no committed change has that id.
CREATE OR REPLACE FUNCTION public.ow_webhook_after(after_id bigint, field text)
 RETURNS bigint LANGUAGE plpgsql STABLE AS $function$
BEGIN
	IF after_id IS NULL THEN
		RETURN ow_change_last();
	END IF;
	IF ow_change_seq(after_id) IS NULL THEN
		PERFORM ow_raise('OW400', field, format(
			'no change has id %s: give an id that GET /changes gave, or 0 for the first', after_id));
	END IF;
	RETURN after_id;
END $function$;

-- Creates a webhook; org, team and person are ids or slugs (OW400 naming the field when
-- unknown), entities and operations comma-separated names ('' for all, checked by the
-- server). Returns its document with the secret.
CREATE OR REPLACE FUNCTION public.ow_webhook_create(actor text, url text, secret text,
	entities text, operations text, org text, team text, person text, after_id bigint)
 RETURNS text
 LANGUAGE plpgsql
AS $function$
DECLARE
	w webhooks;
	start bigint := ow_webhook_after(after_id, 'after');
BEGIN
	INSERT INTO webhooks (url, secret, entities, operations, org_id, team_id, person_id,
		after_id, cursor, created_by)
	VALUES (url, secret, coalesce(string_to_array(nullif(entities, ''), ','), '{}'),
		coalesce(string_to_array(nullif(operations, ''), ','), '{}'),
		ow_key_strict('organization', org, 'org'), ow_key_strict('team', team, 'team'),
		ow_key_strict('person', person, 'person'), start, start, actor)
	RETURNING * INTO w;
	RETURN (ow_webhook_doc(w) || jsonb_build_object('secret', w.secret))::text;
END $function$;

-- Restarts deliveries after change `after` (OW400 field after when unknown, OW404 when no
-- such webhook): the cursor moves there, the webhook is enabled again and its retry state
-- cleared. Returns its document.
CREATE OR REPLACE FUNCTION public.ow_webhook_redeliver(wid text, after_id bigint)
 RETURNS text LANGUAGE plpgsql AS $function$
DECLARE
	w webhooks;
	start bigint;
BEGIN
	SELECT * INTO w FROM webhooks WHERE id = ow_uuid_or_null(wid) FOR UPDATE;
	IF w.id IS NULL THEN
		PERFORM ow_raise('OW404', NULL, format('No webhook with id %L.', wid));
	END IF;
	IF after_id IS NULL THEN
		PERFORM ow_raise('OW400', 'after', 'give the change id to deliver again after');
	END IF;
	start := ow_webhook_after(after_id, 'after');
	UPDATE webhooks SET cursor = start, after_id = start, enabled = true,
		disabled_reason = NULL, failing_since = NULL, failures = 0, next_attempt_at = NULL
	WHERE id = w.id RETURNING * INTO w;
	RETURN ow_webhook_doc(w)::text;
END $function$;

-- A webhook's recent delivery attempts, newest first, as one JSON document.
CREATE OR REPLACE FUNCTION public.ow_webhook_deliveries(wid uuid, lim integer)
 RETURNS text LANGUAGE sql STABLE AS $function$
	SELECT json_build_object('items', coalesce(json_agg(json_build_object(
		'change_id', d.change_id, 'status', d.status, 'attempts', d.attempts,
		'last_error', d.last_error, 'response_status', d.response_status,
		'response_ms', d.response_ms, 'last_attempt_at', ow_ts(d.last_attempt_at),
		'next_attempt_at', ow_ts(d.next_attempt_at))
		ORDER BY d.last_attempt_at DESC NULLS LAST, d.change_id DESC), '[]'))::text
	FROM (SELECT * FROM webhook_deliveries x WHERE x.webhook_id = wid
		ORDER BY x.last_attempt_at DESC NULLS LAST, x.change_id DESC LIMIT lim) d
$function$;

-- The deliverer: change cid was delivered (a 2xx): the cursor moves from prev (what
-- the deliverer read; unless a redeliver moved it meanwhile) past it, the retry state is
-- cleared, the attempt recorded.
CREATE OR REPLACE FUNCTION public.ow_webhook_delivered(wid uuid, prev bigint, cid bigint,
	http_status integer, ms integer)
 RETURNS void
 LANGUAGE sql
AS $function$
	UPDATE webhooks SET cursor = cid, failing_since = NULL, failures = 0,
		next_attempt_at = NULL WHERE id = wid AND cursor = prev;
	INSERT INTO webhook_deliveries AS d (webhook_id, change_id, status, attempts,
		response_status, response_ms, last_attempt_at)
	VALUES (wid, cid, 'delivered', 1, http_status, ms, now())
	ON CONFLICT (webhook_id, change_id) DO UPDATE SET status = 'delivered',
		attempts = d.attempts + 1, last_error = NULL, response_status = http_status,
		response_ms = ms, last_attempt_at = now(), next_attempt_at = NULL;
$function$;

-- The deliverer: an attempt at change cid failed (err, and the HTTP status when one
-- came). The next attempt is in delay_s seconds, unless that falls past window_s seconds
-- after the message's first failure: then the webhook is disabled, saying why. Only the
-- attempt is recorded when the cursor is no longer prev. Returns whether it was disabled.
CREATE OR REPLACE FUNCTION public.ow_webhook_failed(wid uuid, prev bigint, cid bigint, err text,
	http_status integer, ms integer, delay_s integer, window_s integer)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
DECLARE
	w webhooks;
	give_up boolean;
	next_at timestamptz := now() + make_interval(secs => delay_s);
BEGIN
	UPDATE webhooks SET failing_since = coalesce(failing_since, now()), failures = failures + 1
	WHERE id = wid AND cursor = prev AND enabled RETURNING * INTO w;
	-- Not found: deleted, disabled or moved by a redeliver meanwhile; only the attempt counts.
	give_up := w.id IS NOT NULL AND next_at > w.failing_since + make_interval(secs => window_s);
	UPDATE webhooks SET next_attempt_at = CASE WHEN give_up THEN NULL ELSE next_at END,
		enabled = NOT give_up,
		disabled_reason = CASE WHEN give_up THEN format(
			'change %s could not be delivered for %s (since %s, %s attempts); last error: %s',
			cid, date_trunc('second', now() - w.failing_since), ow_ts(w.failing_since),
			w.failures, err) END
	WHERE id = wid AND w.id IS NOT NULL;
	INSERT INTO webhook_deliveries AS d (webhook_id, change_id, status, attempts, last_error,
		response_status, response_ms, last_attempt_at, next_attempt_at)
	VALUES (wid, cid, CASE WHEN give_up THEN 'failed' ELSE 'pending' END, 1, err,
		http_status, ms, now(), CASE WHEN give_up THEN NULL ELSE next_at END)
	ON CONFLICT (webhook_id, change_id) DO UPDATE SET status = excluded.status,
		attempts = d.attempts + 1, last_error = err, response_status = http_status,
		response_ms = ms, last_attempt_at = now(), next_attempt_at = excluded.next_attempt_at;
	RETURN give_up;
END $function$;
