-- words.sql — the word lists the dataset generators share (generate.sql, dataset.sql), included
-- with \ir: the two parts of organization names, organization kinds, team names and job
-- titles, as the one row of the temporary table words.
CREATE TEMP TABLE words AS SELECT
	ARRAY['Northwind', 'Contoso', 'Fabrikam', 'Initech', 'Globex', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell',
	      'Cyberdyne', 'Aperture', 'Soylent', 'Vandelay', 'Wonka', 'Acme', 'Oscorp', 'Massive', 'Pied Piper', 'Dunder']
	    AS org_a,
	ARRAY['Robotics', 'AI', 'Labs', 'Research', 'Systems', 'Analytics', 'Dynamics', 'Networks', 'Institute', 'Foundation']
	    AS org_b,
	ARRAY['company', 'startup', 'lab', 'university', 'government', 'nonprofit', 'other'] AS kinds,
	ARRAY['Research', 'Infrastructure', 'Product', 'Applied ML', 'Safety', 'Platform', 'Data',
	      'Policy', 'Developer Relations', 'Hardware'] AS team_names,
	ARRAY['Research Scientist', 'Software Engineer', 'Engineering Manager', 'Director', 'VP of Research',
	      'Staff Engineer', 'Product Manager', 'Chief Scientist', 'Intern', 'Data Scientist'] AS titles;
