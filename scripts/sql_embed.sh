#!/bin/sh
# sql_embed.sh — owns the embedding of the statements' SQL: turns sql/statements/*.sql into
# one C file (build/gen/stmt_texts.c, the table of include/stmt_texts.h), run by the Makefile
# whenever a .sql file changes. POSIX sh and awk (mawk is enough); no other tool.
#
# usage: sql_embed.sh OUT.c FILE.sql...
#
# A file opens with a `-- ` header comment, then holds blocks:
#   -- name: NAME        a statement (NAME is its name in server/stmts.c)
#   -- fragment: NAME    a piece of SQL that statements include as {{NAME}}
# A block's text is its lines up to the next block, each trimmed and joined to the next by one
# space; blank lines and lines that open with `--` (comments) are left out. A comment after SQL
# on the same line is refused (once the lines are joined it would swallow the rest), and so is a
# string literal across lines. {{NAME}} includes fragment NAME (which may include others);
# {{NAME key: value; key: value}} includes it with each {{key}} of its text replaced by value
# (no `;` or `{{` in a value). Refused, naming the file and line: a name defined twice, an
# unknown or unused fragment, a binding the fragment does not use, fragments including each
# other, an empty block, SQL before the first block. The output is written whole or not at all.
set -eu

[ $# -ge 2 ] || {
	echo "usage: sql_embed.sh OUT.c FILE.sql..." >&2
	exit 2
}
out=$1
shift
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT

awk '
BEGIN {
	quote = sprintf("%c", 39)
}
function die(msg) {
	printf "sql_embed: %s\n", msg > "/dev/stderr"
	failed = 1
	exit 1
}
function trim(s) {
	sub(/^[ \t\r]+/, "", s)
	sub(/[ \t\r]+$/, "", s)
	return s
}
# Every occurrence of the plain string from in s replaced by to.
function replace_all(s, from, to,   out, i) {
	out = ""
	while ((i = index(s, from)) > 0) {
		out = out substr(s, 1, i - 1) to
		s = substr(s, i + length(from))
	}
	return out s
}
function close_block() {
	if (cur != "" && text[cur] == "")
		die(where[cur] ": " cur " has no SQL text")
	cur = ""
}
# The fragment named by use ("NAME" or "NAME key: value; ..."), its bindings applied.
function fragment(stmt, use,   sp, name, bindings, n, b, k, kv, colon, key, val, body) {
	sp = index(use, " ")
	name = sp ? substr(use, 1, sp - 1) : use
	bindings = sp ? substr(use, sp + 1) : ""
	if (!(name in where) || !isfrag[name])
		die(where[stmt] ": " stmt " includes {{" name "}}, which is no fragment (a binding not given?)")
	if (index(bindings, "{{"))
		die(where[stmt] ": " stmt ": a binding of {{" name "}} includes a fragment")
	used[name] = 1
	body = text[name]
	n = split(bindings, b, ";")
	for (k = 1; k <= n; k++) {
		kv = trim(b[k])
		if (kv == "")
			continue
		colon = index(kv, ":")
		key = trim(substr(kv, 1, colon - 1))
		val = trim(substr(kv, colon + 1))
		if (colon == 0 || key !~ /^[a-z][a-z0-9_]*$/ || val == "")
			die(where[stmt] ": " stmt ": a binding of {{" name "}} is not `key: value`: " kv)
		if (!index(body, "{{" key "}}"))
			die(where[stmt] ": " stmt " binds " key ", which " name " (" where[name] ") does not use")
		body = replace_all(body, "{{" key "}}", val)
	}
	return body
}
# Statement stmt text with every {{...}} expanded.
function expand(stmt,   s, i, rest, j, guard) {
	s = text[stmt]
	guard = 0
	while ((i = index(s, "{{")) > 0) {
		rest = substr(s, i + 2)
		j = index(rest, "}}")
		if (j == 0)
			die(where[stmt] ": " stmt ": {{ with no }}")
		if (++guard > 100)
			die(where[stmt] ": " stmt ": fragments that include each other")
		s = substr(s, 1, i - 1) fragment(stmt, trim(substr(rest, 1, j - 1))) substr(rest, j + 2)
	}
	if (index(s, "}}"))
		die(where[stmt] ": " stmt ": }} with no {{")
	return s
}
# s as a C string literal.
function cstr(s,   out, i, c) {
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\\" || c == "\"" || c == "?") # ? too: no trigraph
			out = out "\\"
		out = out c
	}
	return "\"" out "\""
}
# s as C string literals of about 90 characters, one a line, cut after a space.
function cchunks(s,   out, cut, i) {
	out = ""
	while (length(s) > 90) {
		cut = 0
		for (i = 90; i > 40 && !cut; i--)
			if (substr(s, i, 1) == " ")
				cut = i
		if (!cut)
			cut = 90
		out = out "\t " cstr(substr(s, 1, cut)) "\n"
		s = substr(s, cut + 1)
	}
	return out "\t " cstr(s)
}
FNR == 1 {
	close_block()
	if ($0 !~ /^-- [^ ]/)
		die(FILENAME ":1: no header comment (`-- NAME.sql — what it holds`)")
}
{
	line = trim($0)
	if (line ~ /^--/) {
		if (line ~ /^-- (name|fragment):/) {
			close_block()
			name = trim(substr(line, index(line, ":") + 1))
			if (name !~ /^[a-z][a-z0-9_]*$/)
				die(FILENAME ":" FNR ": a block name of a-z, 0-9 and _ expected, not `" name "`")
			if (name in where)
				die(FILENAME ":" FNR ": " name " is defined twice (first at " where[name] ")")
			where[name] = FILENAME ":" FNR
			isfrag[name] = line ~ /^-- fragment:/
			text[name] = ""
			order[++nblocks] = name
			cur = name
		}
		next
	}
	if (line == "")
		next
	if (cur == "")
		die(FILENAME ":" FNR ": SQL before the first `-- name:` or `-- fragment:`")
	if (index(line, "--"))
		die(FILENAME ":" FNR ": a comment after SQL (the lines are joined: give it a line of its own)")
	if (gsub(quote, quote, line) % 2)
		die(FILENAME ":" FNR ": a string literal across lines")
	text[cur] = text[cur] == "" ? line : text[cur] " " line
}
END {
	if (failed)
		exit 1
	close_block()
	print "/* stmt_texts.c — generated by scripts/sql_embed.sh from the files of sql/statements/;"
	print " * do not edit: the statements'\'' SQL texts by name (include/stmt_texts.h). */"
	print "#include \"stmt_texts.h\""
	print ""
	print "const struct ow_stmt_text ow_stmt_texts[] = {"
	n = 0
	for (b = 1; b <= nblocks; b++) {
		name = order[b]
		if (isfrag[name])
			continue
		printf "\t{\"%s\", \"%s\",\n%s},\n", name, where[name], cchunks(expand(name))
		n++
	}
	print "};"
	print ""
	print "const int ow_stmt_ntexts = " n ";"
	for (b = 1; b <= nblocks; b++)
		if (isfrag[order[b]] && !used[order[b]])
			die(where[order[b]] ": fragment " order[b] " is included by no statement")
	if (n == 0)
		die("no statement in the files given")
}
' "$@" >"$tmp"
mv "$tmp" "$out"
trap - EXIT
