#!/usr/bin/env python3
"""vulnerable.py — the self-test of `make security` (SECURITY_SELFTEST=1 bash scripts/security.sh).

A deliberately SQL-injectable stand-in for the orgwatch server, on the same port and the
same throwaway database (sample data loaded), so that the detector of scripts/security.sh can
be shown to report an injection: a run against it must print INJECTABLE for the planted
holes and exit 1. Never started by anything else; it listens on 127.0.0.1 only.

    python3 vulnerable.py PORT             serve (SEC_DATABASE_URL: the libpq URI)
    python3 vulnerable.py --targets BASE   print the self-test targets (JSON lines)

Each query runs through psql. The planted holes paste request text into SQL:
    GET  /people?q=..&org=..   `org` pasted into a WHERE clause (q is passed safely)
    GET  /people/{slug}        the slug pasted into a WHERE clause
    POST /people               the body's `full_name` pasted into a WHERE clause
The control, which must come out "not injectable":
    GET  /organizations/{slug} the slug passed as a psql variable (:'slug', quoted safely)
Database errors are answered 500 with PostgreSQL's message, as careless servers do.
Request log lines on stderr follow orgwatch's format, so security.sh counts them the same way.
"""
import json
import os
import subprocess
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DB = os.environ.get("SEC_DATABASE_URL", "")


def psql(sql, **variables):
    """Runs sql (a single query) and returns (ok, text)."""
    cmd = ["psql", DB, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1"]
    for k, v in variables.items():
        cmd += ["-v", "%s=%s" % (k, v)]
    p = subprocess.run(cmd, input=sql + "\n", capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        return False, p.stderr.strip()
    return True, p.stdout.strip()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # replaced by log_request below
        pass

    def reply(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        rid = self.headers.get("X-Request-Id") or "-"
        self.send_header("X-Request-Id", rid)
        self.end_headers()
        self.wfile.write(body)
        ms = (time.time() - self.t0) * 1000
        path = urllib.parse.urlsplit(self.path).path
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".000Z"
        sys.stderr.write("%s INFO %s %s %d %.1fms id=%s key=-\n" % (ts, self.command, path, status, ms, rid))
        sys.stderr.flush()

    def rows(self, ok, text):
        if not ok:
            self.reply(500, {"status": 500, "detail": text})
            return None
        return [json.loads(line) for line in text.splitlines() if line]

    def do_GET(self):
        self.t0 = time.time()
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        parts = [urllib.parse.unquote(x) for x in u.path.split("/") if x]
        if parts == ["health"]:
            return self.reply(200, {"status": "ok"})
        if parts == ["people"]:
            # HOLE: org is pasted into the SQL text.
            sql = ("SELECT row_to_json(p) FROM people p WHERE p.full_name ILIKE '%%' || :'q' || '%%'"
                   " AND EXISTS (SELECT 1 FROM organizations o WHERE o.slug = '%s') ORDER BY p.slug" % q.get("org", ""))
            items = self.rows(*psql(sql, q=q.get("q", "")))
            return None if items is None else self.reply(200, {"items": items})
        if len(parts) == 2 and parts[0] == "people":
            # HOLE: the slug is pasted into the SQL text.
            items = self.rows(*psql("SELECT row_to_json(p) FROM people p WHERE p.slug = '%s'" % parts[1]))
            if items is None:
                return None
            return self.reply(200, items[0]) if items else self.reply(404, {"status": 404})
        if len(parts) == 2 and parts[0] == "organizations":
            # CONTROL: the slug is a psql variable, quoted by psql.
            items = self.rows(*psql("SELECT row_to_json(o) FROM organizations o WHERE o.slug = :'slug'", slug=parts[1]))
            if items is None:
                return None
            return self.reply(200, items[0]) if items else self.reply(404, {"status": 404})
        return self.reply(404, {"status": 404})

    def do_POST(self):
        self.t0 = time.time()
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        if urllib.parse.urlsplit(self.path).path != "/people":
            return self.reply(404, {"status": 404})
        try:
            doc = json.loads(raw)
        except ValueError:
            return self.reply(400, {"status": 400})
        # HOLE: full_name is pasted into the SQL text.
        sql = "SELECT json_build_object('matches', count(*)) FROM people WHERE full_name = '%s'" % doc.get("full_name", "")
        items = self.rows(*psql(sql))
        if items is None:
            return None
        return self.reply(201, {"slug": doc.get("slug"), "full_name": doc.get("full_name"), **items[0]})


def targets(base):
    t = [
        {"name": "GET /people ?q,org (planted: org)", "kind": "query", "method": "GET",
         "url": base + "/people?q=Yann&org=meta", "params": ["q", "org"], "expect": 200},
        {"name": "GET /people/{id} {id} (planted)", "kind": "path", "method": "GET",
         "url": base + "/people/yann-lecun*", "params": None, "expect": 200, "tests": ["id"]},
        {"name": "POST /people body (planted: full_name)", "kind": "body", "method": "POST",
         "url": base + "/people", "data": json.dumps({"slug": "yann-lecun", "full_name": "Yann LeCun"}),
         "params": ["slug", "full_name"], "expect": 201, "headers": ["Content-Type: application/json"]},
        {"name": "GET /organizations/{id} {id} (control)", "kind": "path", "method": "GET",
         "url": base + "/organizations/meta*", "params": None, "expect": 200, "tests": ["id"]},
    ]
    for i, x in enumerate(t):
        x["n"] = i + 1
        print(json.dumps(x))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--targets":
        targets(sys.argv[2].rstrip("/"))
    elif len(sys.argv) == 2:
        if not DB:
            sys.exit("vulnerable.py: SEC_DATABASE_URL is not set")
        ThreadingHTTPServer.daemon_threads = True
        ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
    else:
        sys.exit(__doc__)
