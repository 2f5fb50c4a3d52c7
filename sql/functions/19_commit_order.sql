-- 19_commit_order.sql — the audit log in commit order (issue 27), and the change feed read
-- by GET /changes?after=, the live stream and webhooks.
--
-- A transaction's first audit row opens its audit_commits row (statement trigger); at commit
-- a deferred constraint trigger takes the commit-order lock and the next seq. The lock is
-- held until the transaction's commit is visible, so transactions become visible in seq
-- order and a reader never sees seq N before N-1 (a rolled-back one leaves a gap).
-- The triggers (audit_log_commit_open, audit_commits_seq, audit_log_held) are declared in
-- 99_triggers.sql with every other.

CREATE OR REPLACE FUNCTION public.ow_commit_open()
 RETURNS void LANGUAGE sql AS $function$
	INSERT INTO audit_commits (txid, import)
	VALUES (pg_current_xact_id(), coalesce(current_setting('orgwatch.import', true), '') = 'on')
	ON CONFLICT (txid) DO NOTHING
$function$;

CREATE OR REPLACE FUNCTION public.ow_audit_commit_open()
 RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
	PERFORM ow_commit_open();
	RETURN NULL;
END $function$;

CREATE OR REPLACE FUNCTION public.ow_audit_commit_seq()
 RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
	PERFORM pg_advisory_xact_lock(7406120); -- the commit-order lock, held to the commit's end
	UPDATE audit_commits SET seq = nextval('audit_commit_seq'), committed_at = clock_timestamp()
	WHERE txid = NEW.txid;
	RETURN NULL;
END $function$;

-- The place of entry `after` in commit order: its transaction's seq, -1 for 0 (before the
-- first entry), NULL when no committed entry has that id (not yet, or never).
CREATE OR REPLACE FUNCTION public.ow_change_seq(after_id bigint)
 RETURNS bigint LANGUAGE sql STABLE AS $function$
	SELECT CASE WHEN after_id = 0 THEN -1 ELSE
		(SELECT c.seq FROM audit_log a JOIN audit_commits c ON c.txid = a.txid
		 WHERE a.id = after_id AND c.seq IS NOT NULL) END
$function$;

-- The id of the newest entry in commit order (0: the log is empty).
CREATE OR REPLACE FUNCTION public.ow_change_last()
 RETURNS bigint LANGUAGE sql STABLE AS $function$
	SELECT coalesce((SELECT max(a.id) FROM audit_log a
		WHERE a.txid = (SELECT c.txid FROM audit_commits c WHERE c.seq IS NOT NULL
				ORDER BY c.seq DESC LIMIT 1)), 0)
$function$;

-- Up to lim entries after entry `after` in commit order (the rest of its transaction, then the
-- transactions committed after it), only those of entities (NULL: all) written at or after
-- since (NULL: any time). Raises OW400 (field after) when `after` is not a committed entry's id.
-- Each query reads one transaction through the index audit_log (txid, id), in its order. Its
-- plan is cached (planning each transaction's query anew cost half the time of a catch-up), and
-- a cached plan estimates txid = t by the column's n_distinct: set to a fraction of the rows in
-- sql/schema/0022_change_tags.sql, since one transaction can hold most of the log (the rows
-- before 0020, a large import), and with the n_distinct of 1 sampled then, the plan walked the
-- whole log in id order for each transaction.
CREATE OR REPLACE FUNCTION public.ow_changes_after(after_id bigint, lim integer,
	entities text[] DEFAULT NULL, since timestamptz DEFAULT NULL)
 RETURNS SETOF audit_log
 LANGUAGE plpgsql
 STABLE
AS $function$
DECLARE
	s0 bigint := ow_change_seq(after_id);
	-- A read pinned to a change key (known_at=, ow_db_pin) lists the log up to that commit.
	bound bigint := nullif(current_setting('orgwatch.known_seq', true), '')::bigint;
	t xid8;
	n integer := 0;
	got integer;
BEGIN
	IF s0 IS NULL THEN
		PERFORM ow_raise('OW400', 'after', format(
			'no change has id %s (yet): resume from an id that GET /changes gave', after_id));
	END IF;
	IF s0 >= 0 AND (bound IS NULL OR s0 <= bound) THEN
		SELECT c.txid INTO t FROM audit_commits c WHERE c.seq = s0;
		RETURN QUERY SELECT a.* FROM audit_log a
			WHERE a.txid = t AND a.id > after_id
			AND (entities IS NULL OR a.entity = ANY (entities)) AND (since IS NULL OR a.at >= since)
			ORDER BY a.txid, a.id LIMIT lim;
		GET DIAGNOSTICS got = ROW_COUNT;
		n := got;
	END IF;
	-- A row written at or after since belongs to a transaction committed at or after it.
	FOR t IN SELECT c.txid FROM audit_commits c WHERE c.seq > s0 AND (bound IS NULL OR c.seq <= bound)
		AND (since IS NULL OR c.committed_at >= since) ORDER BY c.seq LOOP
		EXIT WHEN n >= lim;
		RETURN QUERY SELECT a.* FROM audit_log a WHERE a.txid = t
			AND (entities IS NULL OR a.entity = ANY (entities)) AND (since IS NULL OR a.at >= since)
			ORDER BY a.txid, a.id LIMIT lim - n;
		GET DIAGNOSTICS got = ROW_COUNT;
		n := n + got;
	END LOOP;
END $function$;

-- For a change to a person or a reporting line, as it is written: the organizations and teams
-- where the person (the report and the manager) held a position on the day of the change
-- (audit_log.held_orgs / held_teams, sql/schema/0022_change_tags.sql).
CREATE OR REPLACE FUNCTION public.ow_audit_held()
 RETURNS trigger LANGUAGE plpgsql AS $function$
DECLARE
	doc jsonb := coalesce(NEW.after, NEW.before);
	who uuid[] := CASE NEW.entity WHEN 'person' THEN ARRAY[NEW.entity_id]
		ELSE ARRAY[(doc ->> 'report_id')::uuid, (doc ->> 'manager_id')::uuid] END;
BEGIN
	SELECT array_agg(DISTINCT p.org_id), array_agg(DISTINCT p.team_id) FILTER (WHERE p.team_id IS NOT NULL)
	INTO NEW.held_orgs, NEW.held_teams
	FROM positions p
	WHERE p.person_id = ANY (who) AND p.period @> (NEW.at AT TIME ZONE 'UTC')::date;
	RETURN NEW;
END $function$;

-- What a change is about, for the stream's and webhooks' filters (server/change.c): the
-- organizations, teams and people it concerns, as comma-separated ids. Taken from the entry
-- alone (its document, and for a person or reporting line the positions held that day, fixed
-- when it was written), so a change concerns the same records whenever it is read.
CREATE OR REPLACE FUNCTION public.ow_change_tags(a audit_log, OUT orgs text, OUT teams text,
	OUT people text)
 LANGUAGE sql
 IMMUTABLE
AS $function$
	-- Plain expressions, no subquery: the feed runs this for every entry it reads. An id may
	-- appear twice (change.c matches whole ids).
	SELECT
		CASE WHEN a.entity = 'source' THEN NULL ELSE concat_ws(',',
			CASE WHEN a.entity = 'organization' THEN a.entity_id::text END,
			d ->> 'org_id',
			CASE WHEN a.entity = 'departure' THEN d ->> 'destination_org_id' END,
			array_to_string(a.held_orgs, ',')) END,
		concat_ws(',',
			CASE WHEN a.entity = 'team' THEN a.entity_id::text ELSE d ->> 'team_id' END,
			array_to_string(a.held_teams, ',')),
		CASE a.entity
			WHEN 'person' THEN a.entity_id::text
			WHEN 'position' THEN d ->> 'person_id'
			WHEN 'departure' THEN d ->> 'person_id'
			WHEN 'reporting_line' THEN concat_ws(',', d ->> 'report_id', d ->> 'manager_id')
		END
	FROM (SELECT coalesce(a.after, a.before) AS d) x
$function$;

-- The change feed: up to lim entries after `after` in commit order, each with its event name,
-- its document as GET /changes gives it, what it is about (ow_change_tags), whether it is the
-- last entry of its transaction, whether an import wrote it, and for the last entry of an import its counts by entity and
-- operation ({"departure": {"create": 3}, ...}). Raises as ow_changes_after.
CREATE OR REPLACE FUNCTION public.ow_change_feed(after_id bigint, lim integer)
 RETURNS TABLE (id bigint, event text, doc text, orgs text, teams text, people text,
	tx_last boolean, import boolean, import_counts text)
 LANGUAGE sql
 STABLE
AS $function$
	WITH e AS (
		SELECT ROW(x.id, x.at, x.actor, x.entity, x.entity_id, x.operation, x.before, x.after,
			x.txid, x.held_orgs, x.held_teams)::audit_log AS a, x.ord
		FROM ow_changes_after(after_id, lim) WITH ORDINALITY
			AS x(id, at, actor, entity, entity_id, operation, before, after, txid, held_orgs,
				held_teams, ord)
	)
	SELECT (e.a).id, (e.a).entity || '.' || (e.a).operation, ow_audit_doc(e.a)::text,
		t.orgs, t.teams, t.people, l.last, c.import, CASE WHEN l.last AND c.import THEN
			(SELECT json_object_agg(y.entity, y.ops)::text FROM (
				SELECT x.entity, json_object_agg(x.operation, x.n) AS ops FROM (
					SELECT a.entity, a.operation, count(*) AS n FROM audit_log a
					WHERE a.txid = (e.a).txid GROUP BY 1, 2) x GROUP BY 1) y) END
	FROM e
	CROSS JOIN LATERAL ow_change_tags(e.a) t
	-- Its transaction, by index (a join was planned as a hash of all of audit_commits a page).
	CROSS JOIN LATERAL (SELECT c.import FROM audit_commits c WHERE c.txid = (e.a).txid) c
	-- The last of its transaction: one probe of audit_log (txid, id), however large it is.
	CROSS JOIN LATERAL (SELECT (e.a).id = (SELECT max(x.id) FROM audit_log x
		WHERE x.txid = (e.a).txid) AS last) l
	ORDER BY e.ord
$function$;
