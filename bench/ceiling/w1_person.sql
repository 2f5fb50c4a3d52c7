-- W1 ceiling — GET /people/{slug}: the person and the current positions with organization
-- and team, as plain columns (a hand-written statement a developer would send; pgbench binds
-- :n as the server gets its slug).
\set n random(1, 100000)
SELECT p.id, p.slug, p.full_name, p.aliases, p.bio, p.links, p.tags, p.created_at, p.updated_at,
       po.id, po.title, po.started_on, o.id, o.slug, o.name, t.id, t.slug, t.name
FROM people p
LEFT JOIN positions po ON po.person_id = p.id AND po.ended_on IS NULL
LEFT JOIN organizations o ON o.id = po.org_id
LEFT JOIN teams t ON t.id = po.team_id
WHERE p.slug = 'person-' || :n;
