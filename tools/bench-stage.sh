#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by tools/bench.sh and tools/profile.sh: bench_stage builds door.ko
# for the VM's kernel and fills the staging tree the boots take their image
# from.  Uses TOP, BUILD (a directory of the caller's own), KVER and OUT;
# sets KO, STAGE, KO_SHA and GIT_HEAD.

bench_stage() {
	# --- the module ----------------------------------------------------------------
	# Built here from a copy of the sources, for the kernel the VM boots, so that
	# a concurrent build of kmod/ (for another kernel, say) cannot change the
	# module under the benchmark.  If that build fails, kmod/door.ko is used
	# when it was built for the right kernel.
	KO=$BUILD/src/kmod/door.ko
	KDIR_VM=$("$TOP/tools/kdir.sh" "$KVER" 2>/dev/null || true)
	rm -rf "$BUILD/src"
	mkdir -p "$BUILD/src"
	cp -R "$TOP/Kbuild" "$TOP/kmod" "$TOP/include" "$BUILD/src/"
	find "$BUILD/src/kmod" \( -name '*.o' -o -name '*.ko' -o -name '*.cmd' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name modules.order \) -delete
	if [ -z "$KDIR_VM" ] ||
		! make -s -C "$KDIR_VM" M="$BUILD/src" modules >"$BUILD/kbuild.log" 2>&1; then
		echo "bench: building door.ko for $KVER failed (see $BUILD/kbuild.log); trying kmod/door.ko" >&2
		KO=$TOP/kmod/door.ko
	fi
	[ -f "$KO" ] || {
		echo "bench: no door.ko: run 'make bench' (or 'make all KDIR=\$(tools/kdir.sh $KVER)')" >&2
		exit 1
	}
	vermagic=$(modinfo -F vermagic "$KO" 2>/dev/null || true)
	case ${vermagic%% *} in
	"$KVER" | "$KVER".*) ;;
	*)
		echo "bench: $KO is built for '${vermagic%% *}', not $KVER: run 'make bench KVER=$KVER'" >&2
		exit 1
		;;
	esac

	# --- staging tree ----------------------------------------------------------------
	# The artefacts the image needs, plus snapshots of the VM scripts, so that
	# edits made to tools/ while the benchmark runs cannot break a boot.
	STAGE=$BUILD/top
	rm -rf "$STAGE"
	mkdir -p "$STAGE/kmod" "$STAGE/libdoor" "$STAGE/tests/bin" "$STAGE/tools" "$OUT"
	cp "$TOP/tools/vm-run.sh" "$TOP/tools/mkinitramfs.sh" "$STAGE/tools/"
	cp "$KO" "$STAGE/kmod/door.ko"
	[ -f "$TOP/libdoor/libdoor.so.1" ] && cp "$TOP/libdoor/libdoor.so.1" "$STAGE/libdoor/"
	cp "$TOP/tools/doorbench/doorbench" "$TOP/tools/doorbench/doorprof" "$STAGE/tests/bin/"

	# What is being measured: the module (a hash of door.ko) and the tree it
	# came from.
	KO_SHA=$(sha256sum "$STAGE/kmod/door.ko" | cut -c1-16)
	GIT_HEAD=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo "?")
	if [ -n "$(git -C "$TOP" status --porcelain -- kmod libdoor include 2>/dev/null)" ]; then
		GIT_HEAD="$GIT_HEAD+uncommitted-changes-in-kmod/libdoor/include"
	fi

}
