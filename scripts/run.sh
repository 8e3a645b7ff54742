#!/usr/bin/env bash
# `make run`: start the action server, then chat with the assistant in the terminal (rasa shell).
# Everything listens on 127.0.0.1 unless SHOPMATE_HOST says otherwise; logs go to var/log/.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$VENV_BIN/rasa" run actions --actions actions --port "$ACTION_PORT" >"$LOG_DIR/actions.log" 2>&1 &
pids+=($!)
wait_for_http "http://127.0.0.1:${ACTION_PORT}/health" 60 "action server"

cat <<MSG

ShopMate is ready. Try:
  hi
  where is my order SM-100001?        (email: alex.morgan@example.com)
  do you have a camera bag?
  I want to return the jacket from SM-100002
  /stop ends the chat. Logs: var/log/
MSG
"$VENV_BIN/rasa" shell -m models/shopmate.tar.gz --endpoints endpoints.yml -i "$SHOPMATE_HOST" -p "$RASA_PORT" \
  2> >(tee -a "$LOG_DIR/rasa.log" >&2)
