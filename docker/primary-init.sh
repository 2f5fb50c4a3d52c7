#!/bin/sh
# primary-init.sh — run once by the postgres image when it creates the primary's cluster
# (docker-compose.yml, profile scale): lets the streaming replica connect for replication.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
