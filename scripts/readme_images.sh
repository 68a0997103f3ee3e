#!/usr/bin/env bash
# The two pictures of README.md, from the pages `make report` wrote (docs/design.md says how and why).
#   docs/images/report-page.png  the top of 姚集镇's public page, 900 × 1270 CSS px (an A4 sheet's shape)
#   docs/images/site-phone.png   the county index of 商水县 2020 on a phone: 360 × 740 CSS px
# Headless Chromium, one device pixel per CSS pixel; the PNGs are then reduced to 256 colours
# (Pillow, already a dependency) so that each stays well under 200 KB.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=output/商水县/2020
[ -f "$OUT/姚集镇.public.html" ] || { echo "run 'make report' first" >&2; exit 1; }
mkdir -p docs/images
shot() {   # shot PAGE WIDTH HEIGHT PNG
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$2,$3" --screenshot="$4" "file://$PWD/$1" 2>/dev/null
}
shot "$OUT/姚集镇.public.html" 900 1270 docs/images/report-page.png
shot "$OUT/index.html" 360 740 docs/images/site-phone.png
.venv/bin/python - <<'PY'
from PIL import Image
for name in ("report-page", "site-phone"):
    path = f"docs/images/{name}.png"
    Image.open(path).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
PY
ls -l docs/images
