# Shared environment for scripts that start ShopMate's servers (sourced, not run).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SHOPMATE_HOST="${SHOPMATE_HOST:-127.0.0.1}"
export ACTION_PORT="${ACTION_PORT:-5055}"
export RASA_PORT="${RASA_PORT:-5005}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTION_PORT}/webhook}"
export TRACKER_DB_URL="${TRACKER_DB_URL:-sqlite:///${ROOT}/var/tracker.db}"
export SHOP_DB_URL="${SHOP_DB_URL:-sqlite:///${ROOT}/var/shop.db}"
export SANIC_HOST="${SHOPMATE_HOST}"
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2
export PYTHONPATH="${ROOT}${PYTHONPATH:+:$PYTHONPATH}"
LOG_DIR="${ROOT}/var/log"
mkdir -p "$LOG_DIR"
VENV_BIN="${ROOT}/.venv/bin"

wait_for_http() {  # url seconds name
  local url=$1 secs=$2 name=$3 i
  for ((i = 0; i < secs; i++)); do
    if "$VENV_BIN/python" - "$url" <<'PY' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2)
PY
    sleep 1
  done
  echo "$name did not answer at $url within ${secs}s: see $LOG_DIR" >&2
  return 1
}
