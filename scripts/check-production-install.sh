#!/usr/bin/env bash
# What the Dockerfile's runtime stage relies on, checked without Docker: the compiled dist/ (from
# `npm run build`, with the generated Prisma client inside it), prisma/ and the production
# dependencies only (`npm ci --omit=dev --ignore-scripts`, as in the image) migrate a PostgreSQL
# database with the compiled CLI, start `node dist/main.js` in production mode, and answer /readyz.
#
# Usage: POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres scripts/check-production-install.sh
# It creates and drops a database of its own on that server. Run `npm run build` first.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${POSTGRES_URL:?set POSTGRES_URL to a PostgreSQL server URL (a database on it is created and dropped)}"
[ -f dist/main.js ] || { echo "dist/main.js is missing: run npm run build first"; exit 1; }

work=$(mktemp -d)
name="notarium_production_check_$$"
url="${POSTGRES_URL%/*}/$name"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  psql "$POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

cp package.json package-lock.json "$work"/
cp -r prisma dist "$work"/
(cd "$work" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)

# As the image does: drop the development tools npm installs as optional peers, and fail if
# anything only development needs is installed.
(cd "$work" && node "$OLDPWD/scripts/prune-dev-optional.mjs")
for tool in prisma typescript vitest; do
  [ ! -e "$work/node_modules/$tool" ] || { echo "$tool is installed"; exit 1; }
done

psql "$POSTGRES_URL" -qc "CREATE DATABASE $name" >/dev/null
(cd "$work" && DATABASE_URL="$url" node dist/cli/main.js migrate deploy)

log="$work/server.log"
(cd "$work" && exec env NODE_ENV=production HOST=127.0.0.1 PORT=0 DATABASE_URL="$url" \
  SUBJECT_REF_SECRET="production-check-secret-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" \
  node dist/main.js) >"$log" 2>&1 &
pid=$!

# The listening line names the port. A loaded machine starts slowly: the limit (5 minutes) only
# stops a server that will never come up.
base=""
for _ in $(seq 1 300); do
  base=$(sed -n 's/.*"url":"\(http:[^"]*\)\/graphql".*"message":"listening".*/\1/p' "$log" | head -n 1)
  [ -n "$base" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "the server exited"; exit 1; }
  sleep 1
done
[ -n "$base" ] || { cat "$log"; echo "the server did not start"; exit 1; }

ready=$(curl -sS -w ' %{http_code}' "$base/readyz")
echo "GET /readyz: $ready"
case "$ready" in *'"ready":true'*' 200') ;; *) cat "$log"; exit 1 ;; esac

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || { cat "$log"; echo "the server exited $status on SIGTERM"; exit 1; }
echo "production install: migrated, started, ready, stopped cleanly"
