#!/usr/bin/env bash
# Builds MediaStudio and serves it on http://127.0.0.1:5000 with the embedded defaults:
# SQLite for the studio's rows and for Hangfire, an in-process worker, ./data and the bundled models/.
# Extra arguments go to the app, e.g. deploy/run.sh --urls http://0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/prereqs.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

need_dotnet
need_packages ffmpeg:ffmpeg ffprobe:ffmpeg

echo "mediastudio: building (Release) into .build/app" >&2
dotnet publish src/MediaStudio.Web/MediaStudio.Web.csproj -c Release -o .build/app --nologo -v quiet -clp:ErrorsOnly

exec dotnet .build/app/MediaStudio.Web.dll --MediaStudio:Storage:DataPath "${MEDIASTUDIO_DATA:-$PWD/data}" "$@"
