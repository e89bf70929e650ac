#!/usr/bin/env bash
# Install the Debian packages the platform needs, when missing.
#   scripts/install-system-deps.sh run    PostGIS, pango + a CJK font (PDF reports)
#   scripts/install-system-deps.sh test   the same, Chromium (map tests, screenshots), gdal-bin,
#                                         poppler-utils (PDF reports read back as text and PNG),
#                                         certutil (the HTTPS tests trust the local CA)
# As root it uses apt-get; otherwise it names what to install and fails.
set -euo pipefail
packages=(postgresql-15-postgis-3 libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-zenhei)
[ "${1:-run}" = "test" ] && packages+=(chromium gdal-bin poppler-utils libnss3-tools)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "缺少系统软件包 (missing system packages): ${missing[*]}" >&2
  echo "请以 root 运行：apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "安装系统软件包：${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
