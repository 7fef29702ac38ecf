#!/usr/bin/env bash
# Publishes the studio, takes a screenshot of every page in light and dark theme with chromium
# (PageScreenshotTests) straight into wwwroot/img/screenshots/, and commits them.
# Usage: tests/MediaStudio.EndToEnd.Tests/update-screenshots.sh [--no-commit]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=wwwroot/img/screenshots
mkdir -p "$out" .build
nice dotnet build src/MediaStudio.Web -c Release --nologo -v quiet -clp:ErrorsOnly
nice dotnet publish src/MediaStudio.Web -c Release --no-build -o .build/screenshot-app --nologo -v quiet -clp:ErrorsOnly
nice dotnet build tests/MediaStudio.EndToEnd.Tests -c Release --nologo -v quiet -clp:ErrorsOnly
MEDIASTUDIO_APP_DIR="$PWD/.build/screenshot-app" MEDIASTUDIO_SCREENSHOTS="$PWD/$out" \
  nice dotnet test --project tests/MediaStudio.EndToEnd.Tests -c Release --no-build -- \
  --filter-class MediaStudio.EndToEnd.Tests.PageScreenshotTests
rm -f "$out"/*-failed.png
ls -1 "$out"
if [ "${1:-}" != "--no-commit" ]; then
  git add "$out"
  git commit -m "Screenshots of every page, light and dark" -- "$out" || echo "screenshots unchanged"
fi
