# Sourced by scripts/demo and scripts/test: installs what a fresh Debian
# machine with Swift lacks. Safe to run again; does nothing when all is there.
set -euo pipefail

SEALEDBID_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SEALEDBID_ROOT

sealedbid_apt_packages=(libsodium-dev libssl-dev pkg-config openssl gzip python3 python3-venv)

sealedbid_install_system_packages() {
  local missing=()
  for pkg in "${sealedbid_apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    sealedbid_apt_install "${missing[@]}"
  fi
  command -v swift >/dev/null || { echo "swift is not on PATH: install the Swift toolchain first" >&2; exit 1; }
}

# Installs the named Debian packages (used for what only some scripts need, e.g. postgresql).
sealedbid_apt_install() {
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "==> installing Debian packages: $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# A private virtual environment with the independent implementations the
# interoperability tests compare against (pyhpke; more judges join later).
sealedbid_interop_venv() {
  local venv="$SEALEDBID_ROOT/.build/interop-venv"
  if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import pyhpke, rfc3161_client" 2>/dev/null; then
    echo "==> preparing $venv (pyhpke, rfc3161-client from PyPI)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$SEALEDBID_ROOT/Tests/Interop/requirements.txt"
  fi
  export SEALEDBID_PYTHON="$venv/bin/python"
}
