#!/usr/bin/env bash
# The developer's flow with a .tok file: refresh with the app's id and secret, using curl only.
# usage: seed-flow.sh BASE_URL TENANT CLIENT_ID CLIENT_SECRET TOK_FILE
set -euo pipefail
base_url=$1 tenant=$2 client_id=$3 client_secret=$4 tok_file=$5
refresh_token=$(grep -o '"refresh_token": *"[^"]*"' "$tok_file" | sed 's/.*"\([^"]*\)"$/\1/')
curl -sS -H "Authorization: Basic $(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0)" \
  -d "grant_type=refresh_token&refresh_token=$refresh_token" \
  "$base_url/t/$tenant/oauth2/v1/token"
