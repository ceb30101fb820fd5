#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh - build the Debian packages (body of `make deb`).
#
#   tools/deb.sh [OUTDIR]        OUTDIR defaults to build/deb
#
# Copies the source tree (the files git knows, committed or not, less those
# .gitignore excludes) to OUTDIR/door-VERSION, so that nothing built in the
# working tree leaks into the packages, and runs
#     dpkg-buildpackage -us -uc      (source package and all binary packages)
# there, then lintian --pedantic on the .changes.  Results in OUTDIR:
#     door_VERSION.dsc, door_VERSION.tar.xz                 source package
#     door-dkms_VERSION_all.deb, libdoor1_VERSION_ARCH.deb,
#     libdoor-dev_VERSION_ARCH.deb, door-utils_VERSION_ARCH.deb
#     lintian.txt                                           lintian's output
# Exit status non-zero if the build fails or lintian reports any tag that
# debian/*.lintian-overrides does not override.  tools/deps.sh --deb
# installs what this needs.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$TOP/build/deb}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

VERSION=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
SRC=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Source)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
TREE=$OUT/$SRC-$VERSION

"$TOP/tools/version-check.sh" >/dev/null || {
	"$TOP/tools/version-check.sh"
	exit 1
}

rm -rf "$TREE"
rm -f "$OUT"/*.deb "$OUT"/*.dsc "$OUT"/*.tar.* "$OUT"/*.changes \
	"$OUT"/*.buildinfo "$OUT"/lintian.txt
mkdir -p "$TREE"
# Deleted but not yet committed files are left out.
(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) >"$OUT/files.list"
(cd "$TOP" && tar --null -T "$OUT/files.list" -cf -) | tar -xf - -C "$TREE"
rm -f "$OUT/files.list"

echo "deb.sh: dpkg-buildpackage -us -uc in $TREE"
(cd "$TREE" && dpkg-buildpackage -us -uc) >"$OUT/build.log" 2>&1 || {
	tail -n 60 "$OUT/build.log"
	echo "deb.sh: dpkg-buildpackage failed (whole log: $OUT/build.log)" >&2
	exit 1
}
rm -rf "$TREE"

CHANGES=$OUT/${SRC}_${VERSION}_$ARCH.changes
echo "deb.sh: lintian --pedantic $CHANGES"
rc=0
lintian --pedantic --fail-on error,warning,info,pedantic "$CHANGES" >"$OUT/lintian.txt" 2>&1 || rc=$?
cat "$OUT/lintian.txt"
ls -1 "$OUT"/*.deb "$OUT"/*.dsc
if [ "$rc" -ne 0 ]; then
	echo "deb.sh: lintian reported tags (above)" >&2
	exit 1
fi
echo "deb.sh: lintian --pedantic: clean"
