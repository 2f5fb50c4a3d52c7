-- lines.lua — what the wrk scripts of bench/ (paths.lua, soak.lua) share: the non-empty lines
-- of a file. Loaded with dofile from the script's own folder:
--   local lines = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "lines.lua")
-- lines(path, what) returns the lines as a list; an error names the script and what the file
-- should have held (what) when there are none.
return function(path, what)
	local list = {}
	for line in io.lines(path) do
		if #line > 0 then
			list[#list + 1] = line
		end
	end
	if #list == 0 then
		error(string.format("%s in %s", what, tostring(path)))
	end
	return list
end
