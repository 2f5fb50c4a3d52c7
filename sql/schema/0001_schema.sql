-- 0001_schema.sql — the whole orgwatch data model: records, facts, their sources,
-- API keys and the audit log. Behaviour (functions) lives in later migrations.
-- The migration runner wraps each file in one transaction.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- ---------------------------------------------------------------------------
-- Partial dates: text as reported ("2024", "2024-04", "2024-04-18") plus the
-- range of days it covers, [first day, day after last day).
-- ---------------------------------------------------------------------------
CREATE FUNCTION ow_pdate_valid(t text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	y int; m int; d int;
BEGIN
	IF t IS NULL THEN RETURN true; END IF;
	IF t !~ '^\d{4}(-\d{2}(-\d{2})?)?$' THEN RETURN false; END IF;
	y := substr(t, 1, 4)::int;
	IF y < 1 THEN RETURN false; END IF;
	IF length(t) >= 7 THEN
		m := substr(t, 6, 2)::int;
		IF m < 1 OR m > 12 THEN RETURN false; END IF;
	END IF;
	IF length(t) = 10 THEN
		d := substr(t, 9, 2)::int;
		IF d < 1 OR d > extract(day from (make_date(y, m, 1) + interval '1 month - 1 day')) THEN
			RETURN false;
		END IF;
	END IF;
	RETURN true;
END $$;

CREATE FUNCTION ow_pdate_range(t text) RETURNS daterange
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	y int; m int; first date;
BEGIN
	IF t IS NULL OR NOT ow_pdate_valid(t) THEN RETURN NULL; END IF;
	y := substr(t, 1, 4)::int;
	IF length(t) = 4 THEN
		RETURN daterange(make_date(y, 1, 1), make_date(y + 1, 1, 1));
	END IF;
	m := substr(t, 6, 2)::int;
	first := make_date(y, m, 1);
	IF length(t) = 7 THEN
		RETURN daterange(first, (first + interval '1 month')::date);
	END IF;
	first := make_date(y, m, substr(t, 9, 2)::int);
	RETURN daterange(first, first + 1);
END $$;

-- First day a partial date covers (NULL for NULL).
CREATE FUNCTION ow_pdate_lower(t text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT lower(ow_pdate_range(t)) $$;

-- A validity period from two partial dates: from the first day of `from_t`
-- (unbounded when NULL) up to the first day of `to_t`, exclusive (unbounded when NULL).
-- A line valid from "2025" is valid from 2025-01-01; one ending "2025" ends before it.
CREATE FUNCTION ow_period(from_t text, to_t text) RETURNS daterange
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT daterange(ow_pdate_lower(from_t), ow_pdate_lower(to_t), '[)')
$$;

CREATE DOMAIN pdate AS text CHECK (ow_pdate_valid(VALUE));

-- Case- and accent-folded text for name search (unaccent is only STABLE; the
-- dictionary is fixed here, so the wrapper is safe to index).
CREATE FUNCTION ow_fold(t text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
BEGIN
	RETURN lower(public.unaccent('public.unaccent'::regdictionary, t));
END $$;

-- What people search matches: the full name and every alias, folded.
CREATE FUNCTION ow_person_search_text(full_name text, aliases text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
	RETURN ow_fold(full_name || ' ' || coalesce(array_to_string(aliases, ' '), ''));
END $$;

-- ---------------------------------------------------------------------------
-- Housekeeping
-- ---------------------------------------------------------------------------
CREATE TABLE ow_meta (
	key text PRIMARY KEY,
	value text NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ow_meta IS 'Server facts such as whether the sample dataset was ever loaded.';

CREATE TABLE api_keys (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
	role text NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
	key_hash bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
	created_at timestamptz NOT NULL DEFAULT now(),
	revoked_at timestamptz
);
COMMENT ON TABLE api_keys IS 'Bearer keys: only the SHA-256 of each key is stored.';

CREATE TABLE audit_log (
	id bigserial PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT clock_timestamp(),
	actor text NOT NULL,
	entity text NOT NULL,
	entity_id uuid NOT NULL,
	operation text NOT NULL CHECK (operation IN ('create', 'update', 'delete', 'merge')),
	before jsonb,
	after jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at, id);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, at, id);
CREATE INDEX audit_log_entity_id_idx ON audit_log (entity_id);
COMMENT ON TABLE audit_log IS 'Every write, by whom (key name), with the row before and after.';

CREATE TABLE idempotency_keys (
	actor text NOT NULL,
	key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	method text NOT NULL,
	path text NOT NULL,
	body_hash text NOT NULL,
	status int NOT NULL,
	location text,
	etag text,
	response text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (actor, key)
);
COMMENT ON TABLE idempotency_keys IS 'First answers to POSTs carrying an Idempotency-Key (kept 24 h).';

-- ---------------------------------------------------------------------------
-- Records
-- ---------------------------------------------------------------------------
CREATE TABLE sources (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	url text NOT NULL UNIQUE CHECK (url ~* '^https?://[^\s/$.?#][^\s]*$' AND length(url) <= 2048),
	title text,
	publisher text,
	author text,
	published_on pdate,
	published_range daterange GENERATED ALWAYS AS (ow_pdate_range(published_on)) STORED,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX sources_created_idx ON sources (created_at, id);
COMMENT ON TABLE sources IS 'News reports and documents behind facts.';

CREATE TABLE organizations (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
	kind text NOT NULL DEFAULT 'other'
		CHECK (kind IN ('company', 'startup', 'lab', 'university', 'government', 'nonprofit', 'other')),
	website text CHECK (website ~* '^https?://[^\s/$.?#][^\s]*$'),
	founded_on pdate,
	parent_id uuid REFERENCES organizations (id),
	description text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX organizations_created_idx ON organizations (created_at, id);
CREATE INDEX organizations_parent_idx ON organizations (parent_id);
COMMENT ON TABLE organizations IS 'Companies, startups, labs, universities...';

CREATE TABLE teams (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id uuid NOT NULL REFERENCES organizations (id),
	slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
	parent_id uuid REFERENCES teams (id),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
	description text,
	formed_on pdate,
	dissolved_on pdate,
	reported_headcount int CHECK (reported_headcount >= 0),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	UNIQUE (org_id, slug),
	CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX teams_created_idx ON teams (created_at, id);
CREATE INDEX teams_parent_idx ON teams (parent_id);
COMMENT ON TABLE teams IS 'Teams inside an organization; slug unique within the organization.';

CREATE TABLE people (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
	full_name text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 300),
	aliases text[] NOT NULL DEFAULT '{}',
	bio text,
	links jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(links) = 'object'),
	tags text[] NOT NULL DEFAULT '{}',
	search_text text GENERATED ALWAYS AS (ow_person_search_text(full_name, aliases)) STORED,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX people_created_idx ON people (created_at, id);
CREATE INDEX people_updated_idx ON people (updated_at, id);
CREATE INDEX people_search_trgm_idx ON people USING gin (search_text gin_trgm_ops);
CREATE INDEX people_tags_idx ON people USING gin (tags);
COMMENT ON TABLE people IS 'People as reported; names folded into search_text for trigram search.';

CREATE TABLE people_redirects (
	old_id uuid PRIMARY KEY,
	old_slug text NOT NULL UNIQUE,
	survivor_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	merged_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE people_redirects IS 'Ids and slugs of people merged into another (answered with 301).';

-- ---------------------------------------------------------------------------
-- Facts (each may cite sources)
-- ---------------------------------------------------------------------------
CREATE TABLE positions (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	person_id uuid NOT NULL REFERENCES people (id),
	org_id uuid NOT NULL REFERENCES organizations (id),
	team_id uuid REFERENCES teams (id),
	title text,
	started_on pdate,
	ended_on pdate,
	period daterange GENERATED ALWAYS AS (ow_period(started_on, ended_on)) STORED,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	CHECK (ended_on IS NULL OR started_on IS NULL
		OR ow_pdate_lower(ended_on) >= ow_pdate_lower(started_on))
);
CREATE UNIQUE INDEX positions_natural_key ON positions (person_id, org_id, coalesce(started_on, ''));
CREATE INDEX positions_created_idx ON positions (created_at, id);
CREATE INDEX positions_org_period_idx ON positions USING gist (org_id, period);
CREATE INDEX positions_team_idx ON positions (team_id);
CREATE INDEX positions_open_idx ON positions (org_id, person_id) WHERE ended_on IS NULL;
COMMENT ON TABLE positions IS 'Employment stints; ended_on NULL = current.';

CREATE TABLE reporting_lines (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	report_id uuid NOT NULL REFERENCES people (id),
	manager_id uuid NOT NULL REFERENCES people (id),
	valid_from pdate,
	valid_to pdate,
	period daterange GENERATED ALWAYS AS (ow_period(valid_from, valid_to)) STORED,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	CONSTRAINT reporting_lines_not_self CHECK (report_id <> manager_id),
	CONSTRAINT reporting_lines_valid_to_after_from CHECK (valid_to IS NULL OR valid_from IS NULL
		OR ow_pdate_lower(valid_to) > ow_pdate_lower(valid_from)),
	CONSTRAINT reporting_lines_one_manager
		EXCLUDE USING gist (report_id WITH =, period WITH &&)
);
CREATE UNIQUE INDEX reporting_lines_natural_key ON reporting_lines (report_id, coalesce(valid_from, ''));
CREATE INDEX reporting_lines_created_idx ON reporting_lines (created_at, id);
CREATE INDEX reporting_lines_manager_idx ON reporting_lines USING gist (manager_id, period);
COMMENT ON TABLE reporting_lines IS 'Who reports to whom over time: one manager at any instant, no cycles.';

CREATE TABLE layoffs (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id uuid NOT NULL REFERENCES organizations (id),
	team_id uuid REFERENCES teams (id),
	announced_on pdate,
	effective_on pdate,
	count int CHECK (count >= 0),
	percentage numeric(5, 2) CHECK (percentage >= 0 AND percentage <= 100),
	description text,
	announced_range daterange GENERATED ALWAYS AS (ow_pdate_range(announced_on)) STORED,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX layoffs_created_idx ON layoffs (created_at, id);
CREATE INDEX layoffs_org_idx ON layoffs (org_id);
COMMENT ON TABLE layoffs IS 'Reported layoffs; count is the reported total, not the named departures.';

CREATE TABLE departures (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	person_id uuid NOT NULL REFERENCES people (id),
	org_id uuid NOT NULL REFERENCES organizations (id),
	team_id uuid REFERENCES teams (id),
	title text,
	departed_on pdate NOT NULL,
	announced_on pdate,
	kind text NOT NULL DEFAULT 'unknown' CHECK (kind IN
		('resigned', 'laid_off', 'fired', 'retired', 'contract_ended', 'deceased', 'unknown')),
	reason_category text NOT NULL DEFAULT 'unknown' CHECK (reason_category IN
		('startup', 'competitor', 'burnout', 'reorganization', 'layoff', 'compensation',
		 'academia', 'personal', 'other', 'unknown')),
	reason text,
	destination_org_id uuid REFERENCES organizations (id),
	destination_title text,
	destination_kind text NOT NULL DEFAULT 'unknown' CHECK (destination_kind IN
		('founded', 'joined', 'academia', 'government', 'none', 'unknown')),
	layoff_id uuid REFERENCES layoffs (id),
	returned_on pdate,
	notes text,
	status text NOT NULL DEFAULT 'reported'
		CHECK (status IN ('reported', 'confirmed', 'disputed', 'retracted')),
	departed_range daterange GENERATED ALWAYS AS (ow_pdate_range(departed_on)) STORED,
	announced_range daterange GENERATED ALWAYS AS (ow_pdate_range(announced_on)) STORED,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	CONSTRAINT departures_natural_key UNIQUE (person_id, org_id, departed_on),
	CONSTRAINT departures_returned_after_departed CHECK (returned_on IS NULL
		OR ow_pdate_lower(returned_on) >= ow_pdate_lower(departed_on))
);
CREATE INDEX departures_created_idx ON departures (created_at, id);
CREATE INDEX departures_sort_idx ON departures (lower(departed_range), id);
CREATE INDEX departures_org_idx ON departures (org_id, lower(departed_range), id);
CREATE INDEX departures_range_idx ON departures USING gist (departed_range);
CREATE INDEX departures_person_idx ON departures (person_id);
CREATE INDEX departures_dest_idx ON departures (destination_org_id);
CREATE INDEX departures_team_idx ON departures (team_id);
CREATE INDEX departures_layoff_idx ON departures (layoff_id);
CREATE INDEX departures_updated_idx ON departures (updated_at, id);
COMMENT ON TABLE departures IS 'Who left which organization, when, why and where to.';

-- Fact ↔ source links.
CREATE TABLE position_sources (
	position_id uuid NOT NULL REFERENCES positions (id) ON DELETE CASCADE,
	source_id uuid NOT NULL REFERENCES sources (id),
	PRIMARY KEY (position_id, source_id)
);
CREATE TABLE reporting_line_sources (
	reporting_line_id uuid NOT NULL REFERENCES reporting_lines (id) ON DELETE CASCADE,
	source_id uuid NOT NULL REFERENCES sources (id),
	PRIMARY KEY (reporting_line_id, source_id)
);
CREATE TABLE departure_sources (
	departure_id uuid NOT NULL REFERENCES departures (id) ON DELETE CASCADE,
	source_id uuid NOT NULL REFERENCES sources (id),
	PRIMARY KEY (departure_id, source_id)
);
CREATE TABLE layoff_sources (
	layoff_id uuid NOT NULL REFERENCES layoffs (id) ON DELETE CASCADE,
	source_id uuid NOT NULL REFERENCES sources (id),
	PRIMARY KEY (layoff_id, source_id)
);
CREATE INDEX position_sources_source_idx ON position_sources (source_id);
CREATE INDEX reporting_line_sources_source_idx ON reporting_line_sources (source_id);
CREATE INDEX departure_sources_source_idx ON departure_sources (source_id);
CREATE INDEX layoff_sources_source_idx ON layoff_sources (source_id);
COMMENT ON TABLE departure_sources IS 'Which sources report which departure (likewise for the other *_sources).';

-- ---------------------------------------------------------------------------
-- Bookkeeping triggers: updated_at and the audit log
-- ---------------------------------------------------------------------------
-- Generated columns are recomputed after BEFORE triggers, so they are left out of
-- the comparison: an update that changes nothing keeps updated_at (and the ETag).
CREATE FUNCTION ow_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	derived text[] := ARRAY['updated_at', 'period', 'search_text', 'departed_range',
		'announced_range', 'published_range'];
BEGIN
	IF to_jsonb(NEW) - derived IS DISTINCT FROM to_jsonb(OLD) - derived THEN
		NEW.updated_at := clock_timestamp();
	ELSE
		NEW.updated_at := OLD.updated_at;
	END IF;
	RETURN NEW;
END $$;

CREATE FUNCTION ow_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	who text := coalesce(nullif(current_setting('orgwatch.actor', true), ''), 'system');
	op text := coalesce(nullif(current_setting('orgwatch.operation', true), ''), lower(TG_OP));
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO audit_log (actor, entity, entity_id, operation, after)
		VALUES (who, TG_ARGV[0], NEW.id, 'create', to_jsonb(NEW));
		RETURN NEW;
	ELSIF TG_OP = 'UPDATE' THEN
		IF to_jsonb(OLD) - 'updated_at' = to_jsonb(NEW) - 'updated_at' THEN
			RETURN NEW;
		END IF;
		INSERT INTO audit_log (actor, entity, entity_id, operation, before, after)
		VALUES (who, TG_ARGV[0], NEW.id, CASE WHEN op = 'merge' THEN 'merge' ELSE 'update' END,
			to_jsonb(OLD), to_jsonb(NEW));
		RETURN NEW;
	ELSE
		INSERT INTO audit_log (actor, entity, entity_id, operation, before)
		VALUES (who, TG_ARGV[0], OLD.id, CASE WHEN op = 'merge' THEN 'merge' ELSE 'delete' END,
			to_jsonb(OLD));
		RETURN OLD;
	END IF;
END $$;

DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('sources', 'source'), ('organizations', 'organization'), ('teams', 'team'),
		('people', 'person'), ('positions', 'position'), ('reporting_lines', 'reporting_line'),
		('layoffs', 'layoff'), ('departures', 'departure')) AS v(tbl, entity)
	LOOP
		EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION ow_touch()',
			t.tbl || '_touch', t.tbl);
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION ow_audit(%L)',
			t.tbl || '_audit', t.tbl, t.entity);
	END LOOP;
END $$;

