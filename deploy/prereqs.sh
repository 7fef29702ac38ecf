# Shared by run.sh and test.sh: make sure system packages are present.
# As root they are installed from apt; otherwise the script says exactly what to install.

# need_packages CMD:PACKAGE ... : installs the packages whose command is missing.
need_packages() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "mediastudio: installing ${missing[*]} from apt" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "mediastudio: missing ${missing[*]}; install with: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
}

need_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1 || ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    echo "mediastudio: the .NET 10 SDK is required (https://learn.microsoft.com/dotnet/core/install/linux-debian)" >&2
    return 1
  fi
}
