#!/usr/bin/env bash
# Render workbooks to PNG so that what a clerk prints can be looked at:
#   scripts/render_forms.sh OUT_DIR WORKBOOK.xlsx[:PAGE] ...
# Each workbook is printed to PDF by LibreOffice headless (its print areas, page breaks and
# print titles apply), then page PAGE (default 1) becomes OUT_DIR/<name>-p<PAGE>.png (pdftoppm).
# Needs: libreoffice-calc, poppler-utils, fonts-noto-cjk and fonts-crosextra-carlito (Calibri's
# widths: without it columns print about a quarter wider than in Excel) (apt-get install -y ...).
# Not part of `make test`.
set -euo pipefail
if [[ $# -lt 2 ]]; then
    echo "usage: $0 OUT_DIR WORKBOOK.xlsx[:PAGE] ..." >&2
    exit 2
fi
for tool in soffice pdftoppm; do
    command -v "$tool" >/dev/null || {
        echo "$tool not found: apt-get install -y libreoffice-calc poppler-utils fonts-noto-cjk fonts-crosextra-carlito" >&2
        exit 3
    }
done
out=$1
shift
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for spec in "$@"; do
    book=${spec%%:*}
    page=1
    [[ "$spec" == *:* ]] && page=${spec##*:}
    name=$(basename "$book" .xlsx)
    # A private profile: a second LibreOffice (or a desktop one) must not block the conversion.
    soffice -env:UserInstallation="file://$work/profile" --headless --norestore \
        --convert-to pdf --outdir "$work" "$book" >/dev/null 2>&1
    pdftoppm -png -r 110 -f "$page" -l "$page" -singlefile "$work/$name.pdf" "$out/$name-p$page"
    pages=$(pdfinfo "$work/$name.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}' || true)
    echo "$out/$name-p$page.png (page $page of ${pages:-?})"
done
