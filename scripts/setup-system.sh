#!/usr/bin/env bash
# Installs the Debian packages jili needs at run time, once. Idempotent: does nothing when present.
#   libreoffice-writer-nogui  converts legacy .doc / .wps (Word 97 OLE2) to DOCX, headless
#   fonts-wqy-microhei        a CJK font, so PDFs with non-embedded Chinese fonts render for OCR
#   chromium                  the browser the web UI's end-to-end tests drive (Playwright cannot download one here)
#   gcc, python3-dev          a C compiler and Python headers: mypyc compiles the figure extractor (setup.py)
#   python3.11-venv           venv for Debian's optimised interpreter, which the Makefile prefers
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
fc-list 2>/dev/null | grep -qi "wqy" || need+=(fonts-wqy-microhei fontconfig)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
# Debian's python3.11 is the interpreter the Makefile prefers (faster than a source build): give it venv and its headers
if [ -x /usr/bin/python3.11 ]; then
  /usr/bin/python3.11 -c 'import ensurepip' 2>/dev/null || need+=(python3.11-venv)
  [ -f /usr/include/python3.11/Python.h ] || need+=(python3.11-dev)
else
  py=$(command -v python3.11 || command -v python3 || true)
  if [ -n "$py" ] && ! "$py" -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
    need+=(python3-dev)
  fi
fi
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "setup-system: installing ${need[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
