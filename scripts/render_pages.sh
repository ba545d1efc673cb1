#!/usr/bin/env bash
# Render what canbao writes for people to PNG, as it prints and as a browser shows it:
#   scripts/render_pages.sh OUT_DIR PATH ...        (PATH: a .xlsx, a .html, or a folder of them)
# Workbooks: LibreOffice headless prints each to PDF (print areas, page breaks, print titles and
# charts apply), pdftoppm turns every page into OUT_DIR/<name>-p<N>.png.
# Reports (.html): headless Chromium, with no network, takes a screenshot of the first screen
# (OUT_DIR/<name>.png, WIDTH x HEIGHT below) and prints the page to A4 PDF, every page of which
# becomes OUT_DIR/<name>-p<N>.png.
# Needs Debian's libreoffice-calc-nogui, poppler-utils, chromium, fonts-noto-cjk and
# fonts-crosextra-carlito (`make printing` installs them when missing). Not part of `make test`.
# Example, after `make demo`: scripts/render_pages.sh pages demo-output/match demo-output/report.html
set -euo pipefail
if [[ $# -lt 2 ]]; then
    echo "usage: $0 OUT_DIR PATH ..." >&2
    exit 2
fi
WIDTH=${WIDTH:-1000}
HEIGHT=${HEIGHT:-1400}
DPI=${DPI:-80}
browser=$(command -v chromium || command -v chromium-browser || true)
for tool in soffice pdftoppm pdfinfo "$browser"; do
    if [[ -z "$tool" ]] || ! command -v "$tool" >/dev/null; then
        echo "${tool:-chromium} not found: make printing (or apt-get install -y libreoffice-calc-nogui poppler-utils chromium fonts-noto-cjk fonts-crosextra-carlito)" >&2
        exit 3
    fi
done
out=$1
shift
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The browser reaches nothing: a proxy nobody listens at, no name resolution, and (as root,
# where the kernel allows it) a network namespace of its own.
offline=()
unshare -n true 2>/dev/null && offline=(unshare -n)
chrome() {
    "${offline[@]}" "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$work/chromium" --proxy-server=127.0.0.1:9 \
        --proxy-bypass-list='<-loopback>' --host-resolver-rules='MAP * ~NOTFOUND' \
        --disable-background-networking --disable-component-update --disable-sync --no-first-run \
        --disable-features=NetworkTimeServiceQuerying "$@" \
        >/dev/null 2>&1
}

pages() {  # PDF NAME: every page to OUT_DIR/NAME-pN.png
    pdftoppm -png -r "$DPI" "$1" "$work/page"
    for png in "$work"/page-*.png; do
        n=${png##*-}
        n=$((10#${n%.png}))
        mv "$png" "$out/$2-p$n.png"
    done
    echo "$out/$2-p*.png ($(pdfinfo "$1" | awk '/^Pages:/ {print $2}') pages)"
}

render() {  # FILE [NAME]: NAME defaults to the file's name without its suffix
    local file=$1 name=${2:-$(basename "$1")}
    name=${name%.*}
    case "$file" in
    *.xlsx)
        # A private profile: a second LibreOffice (or a desktop one) must not block the conversion.
        soffice -env:UserInstallation="file://$work/profile" --headless --norestore \
            --convert-to pdf --outdir "$work" "$file" >/dev/null 2>&1
        local pdf
        pdf="$work/$(basename "${file%.*}").pdf"
        pages "$pdf" "$name"
        rm -f "$pdf"
        ;;
    *.html)
        chrome --window-size="$WIDTH,$HEIGHT" --screenshot="$out/$name.png" "file://$(realpath "$file")"
        echo "$out/$name.png (first screen, ${WIDTH}x${HEIGHT})"
        chrome --no-pdf-header-footer --print-to-pdf="$work/$name.pdf" "file://$(realpath "$file")"
        pages "$work/$name.pdf" "$name"
        ;;
    esac
}

for path in "$@"; do
    if [[ -d "$path" ]]; then
        # Named by the path inside the folder: 杜集区/入户调查对象名册.xlsx -> 杜集区_入户调查对象名册
        while IFS= read -r -d '' file; do
            relative=${file#"$path"/}
            render "$file" "${relative//\//_}"
        done < <(find "$path" \( -name '*.xlsx' -o -name '*.html' \) -print0 | sort -z)
    else
        render "$path"
    fi
done
