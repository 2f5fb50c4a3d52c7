-- Ceiling of GET /people?org={slug}&limit=50 (section people): the first 51 current members
-- of a random organization in list order, each with the current positions, organization and
-- team, as plain columns.
\set o random(1, 200)
SELECT p.id, p.slug, p.full_name, p.aliases, p.bio, p.links, p.tags, p.created_at, p.updated_at,
       po.id, po.title, po.started_on, o.id, o.slug, o.name, t.id, t.slug, t.name
FROM (SELECT * FROM people p
      WHERE p.id IN (SELECT person_id FROM positions
                     WHERE ended_on IS NULL
                       AND org_id = (SELECT id FROM organizations WHERE slug = 'org-' || :o))
      ORDER BY p.created_at, p.id LIMIT 51) p
LEFT JOIN positions po ON po.person_id = p.id AND po.ended_on IS NULL
LEFT JOIN organizations o ON o.id = po.org_id
LEFT JOIN teams t ON t.id = po.team_id;
