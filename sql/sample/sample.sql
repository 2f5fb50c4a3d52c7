-- sample.sql — the sample dataset of ../shared/SAMPLE-FACTS.md: Meta's AI talent story,
-- 2022–2025, stored as reported with its sources. Loaded once by `orgwatch load-sample`
-- (make run, first start) through the same write functions the API calls, so every row
-- is validated and audited (actor "sample") exactly like an API write.
-- The loader runs this file in one transaction.

DO $$
DECLARE
	actor constant text := 'sample';
	doc jsonb;
BEGIN
	-- Sources (placeholder URLs where none is known)
	FOR doc IN SELECT * FROM jsonb_array_elements($j$[
		{"url": "https://example.org/sources/fortune-meta-ai-mafia-brain-drain", "publisher": "Fortune",
		 "title": "The 'Meta AI mafia' brain drain continues with at least 3 more high-level departures",
		 "published_on": "2024-04"},
		{"url": "https://example.org/sources/ai-talent-exodus-meta-researchers-startups",
		 "title": "AI Talent Exodus: Meta Researchers Seek Opportunities With Startups", "published_on": "2025"},
		{"url": "https://example.org/sources/readwrite-meta-ai-layoffs-researcher-departures", "publisher": "ReadWrite",
		 "title": "Meta Faces Challenges in AI Innovation: A Closer Look at Recent Layoffs and Researcher Departures",
		 "author": "Aaron Heienickle", "published_on": "2023"},
		{"url": "https://example.org/sources/meta-ai-exodus-hiring-gamble",
		 "title": "Meta AI Exodus: Zuckerberg's Hiring Gamble Backfires", "author": "Sophie Lin", "published_on": "2025"}
	]$j$::jsonb) LOOP
		PERFORM ow_sources_write(actor, NULL, doc, NULL);
	END LOOP;

	-- Organizations
	FOR doc IN SELECT * FROM jsonb_array_elements($j$[
		{"slug": "meta", "name": "Meta", "kind": "company", "website": "https://about.meta.com"},
		{"slug": "memories-ai", "name": "Memories.ai", "kind": "startup",
		 "description": "AI-driven visual data understanding."},
		{"slug": "automind", "name": "Automind", "kind": "startup",
		 "description": "AI assistant platform for enterprises; also building an end-user scripting language, Universalis."},
		{"slug": "scale-ai", "name": "Scale AI", "kind": "company"},
		{"slug": "openai", "name": "OpenAI", "kind": "lab"},
		{"slug": "anthropic", "name": "Anthropic", "kind": "lab"},
		{"slug": "google-deepmind", "name": "Google DeepMind", "kind": "lab"},
		{"slug": "cohere", "name": "Cohere", "kind": "startup"},
		{"slug": "midjourney", "name": "Midjourney", "kind": "startup"},
		{"slug": "rice-university", "name": "Rice University", "kind": "university"},
		{"slug": "princeton-university", "name": "Princeton University", "kind": "university"}
	]$j$::jsonb) LOOP
		PERFORM ow_organizations_write(actor, NULL, doc, NULL);
	END LOOP;

	-- Teams at Meta (parents before children)
	FOR doc IN SELECT * FROM jsonb_array_elements($j$[
		{"org": "meta", "slug": "fair", "name": "FAIR (Fundamental AI Research)"},
		{"org": "meta", "slug": "probability", "name": "Probability", "reported_headcount": 50,
		 "dissolved_on": "2022-11",
		 "description": "Research group on machine-learning infrastructure led by Erik Meijer; the entire team was laid off in November 2022."},
		{"org": "meta", "slug": "pytorch", "name": "PyTorch"},
		{"org": "meta", "slug": "genai", "name": "Generative AI (GenAI)"},
		{"org": "meta", "slug": "llama", "name": "Llama", "parent": "meta/genai"},
		{"org": "meta", "slug": "msl", "name": "Meta Superintelligence Labs (MSL)", "formed_on": "2025",
		 "description": "Hiring paused in 2025 (a 'temporary pause', business-critical roles excepted); its head evaluates every hiring request."},
		{"org": "meta", "slug": "products-applied-research", "name": "Products and Applied Research",
		 "parent": "meta/msl", "formed_on": "2025"}
	]$j$::jsonb) LOOP
		PERFORM ow_teams_write(actor, NULL, doc, NULL);
	END LOOP;

	-- People (as reported: "Thomas Wang" and the single name "Zhao" come from S4)
	FOR doc IN SELECT * FROM jsonb_array_elements($j$[
		{"slug": "mark-zuckerberg", "full_name": "Mark Zuckerberg"},
		{"slug": "erik-meijer", "full_name": "Erik Meijer", "bio": "Computer scientist.",
		 "tags": ["published-ai-research"]},
		{"slug": "devi-parikh", "full_name": "Devi Parikh", "tags": ["published-ai-research"],
		 "bio": "Led research on generative media and multimodal LLMs at Meta."},
		{"slug": "abhishek-das", "full_name": "Abhishek Das", "tags": ["published-ai-research"]},
		{"slug": "shawn-shen", "full_name": "Shawn Shen"},
		{"slug": "chi-hao-wu", "full_name": "Chi-Hao Wu", "tags": ["published-ai-research"]},
		{"slug": "yann-lecun", "full_name": "Yann LeCun", "tags": ["published-ai-research"],
		 "bio": "Recruited in 2013 to lead Meta's AI efforts."},
		{"slug": "thomas-wang", "full_name": "Thomas Wang",
		 "bio": "Name as reported in S4. Oversees Meta's AI strategy from 2025; came with a cohort of engineers from Scale AI; described as a former lieutenant of Andrew Bosworth."},
		{"slug": "andrew-bosworth", "full_name": "Andrew Bosworth"},
		{"slug": "bucky-friedman", "full_name": "Bucky Friedman", "bio": "Name as reported in S4."},
		{"slug": "zhao", "full_name": "Zhao", "bio": "Single name as reported in S4; hired by Meta in 2025."},
		{"slug": "ahmad-al-dahle", "full_name": "Ahmad Al-Dahle",
		 "bio": "Led Llama and generative AI at Meta; no new leadership role assigned (2025)."},
		{"slug": "javier-olivan", "full_name": "Javier Olivan"},
		{"slug": "anshumali-shrivastava", "full_name": "Anshumali Shrivastava"},
		{"slug": "arvind-narayanan", "full_name": "Arvind Narayanan"}
	]$j$::jsonb) LOOP
		PERFORM ow_people_write(actor, NULL, doc, NULL);
	END LOOP;

	-- Positions (employment stints), each with the source that reports it
	FOR doc IN SELECT * FROM jsonb_array_elements($j$[
		{"person": "mark-zuckerberg", "org": "meta", "title": "CEO",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"person": "erik-meijer", "org": "meta", "team": "meta/probability", "title": "Senior Director of Engineering",
		 "ended_on": "2022-11", "sources": ["https://example.org/sources/fortune-meta-ai-mafia-brain-drain"]},
		{"person": "erik-meijer", "org": "meta", "team": "meta/pytorch", "title": "Senior Director of Engineering",
		 "started_on": "2022-11", "ended_on": "2024-04", "sources": ["https://example.org/sources/fortune-meta-ai-mafia-brain-drain"]},
		{"person": "erik-meijer", "org": "automind", "title": "Founder", "started_on": "2024-04",
		 "sources": ["https://example.org/sources/fortune-meta-ai-mafia-brain-drain"]},
		{"person": "devi-parikh", "org": "meta", "team": "meta/genai", "title": "Senior Director of Generative AI", "ended_on": "2024-04",
		 "sources": ["https://example.org/sources/fortune-meta-ai-mafia-brain-drain"]},
		{"person": "abhishek-das", "org": "meta", "team": "meta/fair", "title": "Research Scientist", "ended_on": "2024-04",
		 "sources": ["https://example.org/sources/fortune-meta-ai-mafia-brain-drain"]},
		{"person": "shawn-shen", "org": "meta", "ended_on": "2024", "sources": ["https://example.org/sources/ai-talent-exodus-meta-researchers-startups"]},
		{"person": "shawn-shen", "org": "memories-ai", "title": "Co-founder and CEO", "started_on": "2024",
		 "sources": ["https://example.org/sources/ai-talent-exodus-meta-researchers-startups"]},
		{"person": "chi-hao-wu", "org": "meta", "title": "Research Scientist", "ended_on": "2025",
		 "sources": ["https://example.org/sources/ai-talent-exodus-meta-researchers-startups"]},
		{"person": "chi-hao-wu", "org": "memories-ai", "title": "Chief AI Officer", "started_on": "2025",
		 "sources": ["https://example.org/sources/ai-talent-exodus-meta-researchers-startups"]},
		{"person": "yann-lecun", "org": "meta", "team": "meta/fair", "title": "Chief AI Scientist", "started_on": "2013",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"person": "thomas-wang", "org": "scale-ai", "ended_on": "2025",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"person": "thomas-wang", "org": "meta", "team": "meta/msl", "title": "Head of AI strategy", "started_on": "2025",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"person": "andrew-bosworth", "org": "meta", "title": "Executive",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"person": "bucky-friedman", "org": "meta", "team": "meta/products-applied-research",
		 "title": "Head of Products and Applied Research", "started_on": "2025",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"person": "zhao", "org": "meta", "team": "meta/msl", "started_on": "2025",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"person": "ahmad-al-dahle", "org": "meta", "team": "meta/llama", "title": "Head of Llama and generative AI",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"person": "javier-olivan", "org": "meta", "title": "Chief Product Officer",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"person": "anshumali-shrivastava", "org": "rice-university", "title": "Associate Professor of Computer Science",
		 "sources": ["https://example.org/sources/ai-talent-exodus-meta-researchers-startups"]},
		{"person": "arvind-narayanan", "org": "princeton-university", "title": "Professor of Computer Science",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]}
	]$j$::jsonb) LOOP
		PERFORM ow_positions_write(actor, NULL, doc, NULL);
	END LOOP;

	-- Reporting lines (S4): LeCun's manager changes in 2025; none is reported before.
	FOR doc IN SELECT * FROM jsonb_array_elements($j$[
		{"report": "andrew-bosworth", "manager": "mark-zuckerberg",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"report": "javier-olivan", "manager": "mark-zuckerberg",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"report": "thomas-wang", "manager": "mark-zuckerberg", "valid_from": "2025",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"report": "yann-lecun", "manager": "thomas-wang", "valid_from": "2025",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"report": "bucky-friedman", "manager": "thomas-wang", "valid_from": "2025",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]},
		{"report": "zhao", "manager": "thomas-wang", "valid_from": "2025",
		 "sources": ["https://example.org/sources/meta-ai-exodus-hiring-gamble"]}
	]$j$::jsonb) LOOP
		PERFORM ow_reporting_lines_write(actor, NULL, doc, NULL);
	END LOOP;

	-- Layoffs: Meta's November 2022 layoff (S3), and the Probability team within it (S1).
	PERFORM ow_layoffs_write(actor, NULL, $j${"org": "meta", "announced_on": "2022-11", "count": 11000,
		"description": "Over 11,000 employees laid off.",
		"sources": ["https://example.org/sources/readwrite-meta-ai-layoffs-researcher-departures"]}$j$::jsonb, NULL);
	PERFORM ow_layoffs_write(actor, NULL, $j${"org": "meta", "team": "meta/probability", "announced_on": "2022-11",
		"count": 50, "percentage": 100,
		"description": "The entire ~50-person Probability team was laid off; Erik Meijer stayed.",
		"sources": ["https://example.org/sources/fortune-meta-ai-mafia-brain-drain"]}$j$::jsonb, NULL);

	-- Departures
	FOR doc IN SELECT * FROM jsonb_array_elements($j$[
		{"person": "erik-meijer", "org": "meta", "team": "meta/pytorch", "title": "Senior Director of Engineering",
		 "departed_on": "2024-04", "kind": "resigned", "reason_category": "startup",
		 "destination_org": "automind", "destination_title": "Founder", "destination_kind": "founded",
		 "notes": "Announced on X. Declined offers from other AI companies.", "status": "confirmed",
		 "sources": ["https://example.org/sources/fortune-meta-ai-mafia-brain-drain"]},
		{"person": "devi-parikh", "org": "meta", "team": "meta/genai", "title": "Senior Director of Generative AI",
		 "departed_on": "2024-04", "kind": "resigned", "reason_category": "startup", "destination_kind": "unknown",
		 "reason": "To \"build something new\".",
		 "sources": ["https://example.org/sources/fortune-meta-ai-mafia-brain-drain"]},
		{"person": "abhishek-das", "org": "meta", "team": "meta/fair", "title": "Research Scientist",
		 "departed_on": "2024-04", "kind": "resigned", "reason_category": "startup", "destination_kind": "unknown",
		 "sources": ["https://example.org/sources/fortune-meta-ai-mafia-brain-drain"]},
		{"person": "shawn-shen", "org": "meta", "departed_on": "2024", "kind": "resigned",
		 "reason_category": "startup", "destination_org": "memories-ai", "destination_title": "Co-founder and CEO",
		 "destination_kind": "founded", "notes": "\"Last year\" in a 2025 report.",
		 "sources": ["https://example.org/sources/ai-talent-exodus-meta-researchers-startups"]},
		{"person": "chi-hao-wu", "org": "meta", "title": "Research Scientist", "departed_on": "2025",
		 "kind": "resigned", "reason_category": "startup", "destination_org": "memories-ai",
		 "destination_title": "Chief AI Officer", "destination_kind": "joined",
		 "notes": "Reported as having left by 2025.",
		 "sources": ["https://example.org/sources/ai-talent-exodus-meta-researchers-startups"]}
	]$j$::jsonb) LOOP
		PERFORM ow_departures_write(actor, NULL, doc, NULL);
	END LOOP;

	INSERT INTO ow_meta (key, value) VALUES ('sample_loaded', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
END $$;
