#!/usr/bin/env bash
# ffmpeg (ffprobe) reads a lesson video's length and poster frame, and makes the demo's video. `make run` installs it
# from Debian when missing and it can (as root); otherwise the site still works, without posters or lengths.
set -euo pipefail
command -v ffprobe >/dev/null && command -v ffmpeg >/dev/null && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ffmpeg with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq ffmpeg >/dev/null; then
    exit 0
  fi
fi
echo "ffmpeg is not installed: videos are served without a poster or a length (sudo apt-get install -y ffmpeg)." >&2
exit 0
