:; set -e
:; SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
:; exec "$SCRIPT_DIR/build.sh" "$@"

@echo off
powershell -ExecutionPolicy ByPass -NoProfile -File "%~dp0build.ps1" %*
exit /b %ERRORLEVEL%
