-- paths.lua — wrk script: every request GETs TEMPLATE with its %s replaced by a random line
-- of FILE (slugs written from the database by bench/run.sh).
-- usage: wrk ... -s bench/paths.lua URL -- FILE TEMPLATE     e.g. "/people/%s"
local counter = 0

-- Runs in the main Lua state: gives each thread its own number (for its random seed).
function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
end

local items = {}
local template = "%s"

function init(args)
	for line in io.lines(args[1]) do
		if #line > 0 then
			items[#items + 1] = line
		end
	end
	if #items == 0 then
		error("paths.lua: no lines in " .. tostring(args[1]))
	end
	template = args[2] or template
	math.randomseed(os.time() * 100 + (id or 0))
end

function request()
	-- Headers given with -H (wrk.headers) are kept by wrk.format.
	return wrk.format("GET", string.format(template, items[math.random(#items)]))
end
