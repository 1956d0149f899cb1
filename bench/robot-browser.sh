#!/usr/bin/env bash
# A stand-in web browser for the benchmark: `cubby login` opens the sign-in URL with $BROWSER;
# this signs in on localcloud's hosted page with curl (BENCH_EMAIL / BENCH_PASSWORD) and
# delivers the answer to cubby's loopback listener, as a person's browser would.
set -euo pipefail
authorize_url="$1"
jar="$(mktemp)"
trap 'rm -f "$jar"' EXIT
login_page="$(curl -sS -o /dev/null -w '%{redirect_url}' -c "$jar" -b "$jar" "$authorize_url")"
callback="$(curl -sS -o /dev/null -w '%{redirect_url}' -c "$jar" -b "$jar" \
  --data-urlencode "email=$BENCH_EMAIL" --data-urlencode "password=$BENCH_PASSWORD" "$login_page")"
[[ "$callback" == *"code="* ]] || { echo "robot-browser: sign-in failed (ended at '$callback')" >&2; exit 1; }
curl -sS -o /dev/null "$callback"
