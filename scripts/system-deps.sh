#!/usr/bin/env bash
# Installs the system packages nianbao needs, only when they are missing.
#   fonts     CJK fonts for the charts and the printed report: Noto Sans/Serif CJK (SIL Open Font
#             License) and AR PL UKai (楷体 style, Arphic Public License)
#             (Typst, which sets the PDF, finds them in the system's font folders)
#   pango     the text layout library of WeasyPrint, which prints other layouts for the tests
#   chromium  headless Chromium for the browser test
#   libreoffice  headless LibreOffice Calc, to recalculate the workbook's check formulas in a test
#   writer    headless LibreOffice Writer: Word files opened, converted and printed as offices do
#   poppler   pdftoppm and pdftotext: PDFs rendered to images and read per page in tests
set -euo pipefail

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "nianbao: please install the system package(s) $* (needs root and apt-get)" >&2
    exit 1
  fi
  # Refresh the package lists once per machine (a fresh image may have none).
  if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then
    apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}

for what in "$@"; do
  case "$what" in
    fonts)
      # the file lib/nianbao/fonts.py looks for first (any other CJK font there may not be one it knows)
      if ! ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1; then
        echo "nianbao: installing a CJK font (fonts-noto-cjk)"
        apt_install fonts-noto-cjk
      fi
      if ! ls /usr/share/fonts/truetype/arphic/ukai.ttc >/dev/null 2>&1; then
        echo "nianbao: installing a 楷体-style font for level-2 headings (fonts-arphic-ukai)"
        apt_install fonts-arphic-ukai
      fi
      ;;
    pango)
      if ! ldconfig -p | grep -q libpangoft2-1.0.so.0; then
        echo "nianbao: installing the text layout library of WeasyPrint (libpango-1.0-0, libpangoft2-1.0-0)"
        apt_install libpango-1.0-0 libpangoft2-1.0-0
      fi ;;
    chromium)
      if ! command -v chromium >/dev/null; then
        echo "nianbao: installing headless Chromium (chromium)"
        apt_install chromium
      fi ;;
    libreoffice)
      if ! command -v soffice >/dev/null; then
        echo "nianbao: installing headless LibreOffice Calc (libreoffice-calc-nogui)"
        apt_install --no-install-recommends libreoffice-calc-nogui
      fi ;;
    writer)
      if ! dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 && ! dpkg -s libreoffice-writer >/dev/null 2>&1; then
        echo "nianbao: installing headless LibreOffice Writer (libreoffice-writer-nogui)"
        apt_install --no-install-recommends libreoffice-writer-nogui
      fi ;;
    poppler)
      if ! command -v pdftoppm >/dev/null; then
        echo "nianbao: installing PDF tools (poppler-utils)"
        apt_install poppler-utils
      fi ;;
    *) echo "system-deps.sh: unknown item $what" >&2; exit 2 ;;
  esac
done
