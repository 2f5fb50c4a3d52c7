-- paths.lua — wrk script: every request GETs TEMPLATE with its %s replaced by a random line
-- of FILE (slugs written from the database by bench/run.sh).
-- usage: wrk ... -s bench/paths.lua URL -- FILE TEMPLATE     e.g. "/people/%s"
local lines = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "lines.lua")
local counter = 0

-- Runs in the main Lua state: gives each thread its own number (for its random seed).
function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
end

local items = {}
local template = "%s"

function init(args)
	items = lines(args[1], "paths.lua: no lines")
	template = args[2] or template
	math.randomseed(os.time() * 100 + (id or 0))
end

function request()
	-- Headers given with -H (wrk.headers) are kept by wrk.format.
	return wrk.format("GET", string.format(template, items[math.random(#items)]))
end
