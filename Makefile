# SPDX-License-Identifier: GPL-2.0
#
# Solaris doors for Linux: top-level build.
#
#   make [KDIR=dir]   build kmod/door.ko, libdoor/libdoor.{a,so.1}, tests
#   make check        every test: host unit tests, then the VM suite
#   make demo         boot the VM and run the demo
#   make vm CMD='..'  boot the VM with the module loaded and run a command
#                     (APPEND='slub_debug=P ...': extra guest boot parameters)
#   make bench        benchmark door_call against Linux IPC in the VM
#   make profile      ftrace profile of the null round trip in the icount VM
#   make lint         checkpatch --strict, sparse, W=1 and -Werror builds, man lint
#   make check-debug  the VM suite on a KASAN + lockdep + kmemleak 6.12 kernel
#   make stress       long stress and fault run in the VM (make check runs a short one)
#   make fuzz         ioctl fuzzer on the debug kernel (FUZZ_SECONDS, default 600)
#   make install      libdoor, headers, libdoor.pc, man pages (PREFIX, DESTDIR)
#   make deb          Debian source and binary packages in build/deb, lintian
#   make system-test  the packages on a Debian 12 system booted in QEMU
#                     (SYSTEM_TEST_KVERS, default "6.1 6.12")
#   make version-check  the version in dkms.conf agrees everywhere else
#   make modules_install / dkms: see README
#
# KVER selects the Debian kernel the VM boots and the module is built for:
# 6.1 (default, linux-image-cloud-amd64) or 6.12.

KVER ?= 6.1
TOP := $(CURDIR)
BUILD := $(TOP)/build

# Kernel build dir: KDIR if given, else the running kernel's, else the newest
# installed Debian cloud headers.  The VM targets always build against the
# headers of the Debian kernel they boot (VM_KDIR).
KDIR ?= $(shell tools/kdir.sh)
VM_KDIR = $(shell tools/kdir.sh $(KVER))

CC ?= gcc

.PHONY: all module lib tests examples clean check demo vm unit vmtests deps bench \
	lint check-debug stress fuzz install uninstall modules_install \
	deb system-test version-check profile

all: module lib tests examples

module:
	@test -n "$(KDIR)" || { echo "no kernel headers: run tools/deps.sh or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) W=1 modules

lib:
	$(MAKE) -C libdoor

tests: lib
	$(MAKE) -C tests

examples: lib
	$(MAKE) -C examples

deps:
	tools/deps.sh $(KVER)

# Host-side unit tests (cmocka); prints its own totals.
unit: lib
	$(MAKE) -C tests unit

# Everything that runs in the VM (kselftest suite).
vmtests: deps
	$(MAKE) all KDIR=$(VM_KDIR)
	tools/vm-run.sh --kver $(KVER) --results $(BUILD)/vm-results.txt -- /door/tests/run-suite.sh

# make check: both kernels and lint; make check KVER=6.1 (or 6.12): one kernel.
CHECK_KVERS = $(if $(filter command line environment,$(origin KVER)),$(KVER),6.1 6.12)

check:
	for k in $(CHECK_KVERS); do tools/deps.sh $$k || exit 1; done
	$(MAKE) all KDIR=$(VM_KDIR)
	CHECK_LINT=$(if $(filter command line environment,$(origin KVER)),0,1) \
		tools/check.sh $(CHECK_KVERS)

demo: deps
	$(MAKE) all KDIR=$(VM_KDIR)
	tools/vm-run.sh --kver $(KVER) -- /door/examples/demo.sh

vm: deps
	$(MAKE) all KDIR=$(VM_KDIR)
	tools/vm-run.sh --kver $(KVER) $(if $(APPEND),--append "$(APPEND)") -- "$(CMD)"

lint: deps
	tools/lint.sh $(VM_KDIR)

# The debug kernel is built once (about 12 minutes on 2 cores) and cached.
check-debug: deps
	$(MAKE) all KDIR=$(VM_KDIR)
	CHECK_LINT=0 tools/check.sh debug

stress: deps
	$(MAKE) all KDIR=$(VM_KDIR)
	tools/stress.sh $(KVER)

FUZZ_SECONDS ?= 600
fuzz: deps
	$(MAKE) all KDIR=$(VM_KDIR)
	tools/fuzz.sh $(FUZZ_SECONDS)

PREFIX ?= /usr/local
install: lib
	tools/install.sh "$(DESTDIR)" "$(PREFIX)"

uninstall:
	tools/install.sh --uninstall "$(DESTDIR)" "$(PREFIX)"

modules_install: module
	$(MAKE) -C $(KDIR) M=$(TOP) modules_install

version-check:
	tools/version-check.sh

deb:
	tools/deps.sh --deb
	tools/deb.sh $(BUILD)/deb

# Builds the packages first (make deb), then boots a Debian 12 image with
# them installed, once per kernel; the base image is cached in
# /var/cache/door-system-test (SYSTEM_TEST_CACHE).
SYSTEM_TEST_KVERS ?= 6.1 6.12
system-test: deb
	tools/deps.sh --system-test
	tools/system-test.sh --debs $(BUILD)/deb $(SYSTEM_TEST_KVERS)

bench: deps
	$(MAKE) all KDIR=$(VM_KDIR)
	$(MAKE) -C tools/doorbench
	tools/bench.sh $(KVER)

# Both kernels unless KVER is given (like make check).
profile:
	for k in $(CHECK_KVERS); do tools/deps.sh $$k || exit 1; done
	$(MAKE) all KDIR=$(VM_KDIR)
	$(MAKE) -C tools/doorbench
	tools/profile.sh $(CHECK_KVERS)

clean:
	-$(MAKE) -C $(or $(KDIR),/nonexistent) M=$(TOP) clean 2>/dev/null
	$(MAKE) -C libdoor clean
	$(MAKE) -C tests clean
	$(MAKE) -C examples clean
	rm -rf $(BUILD)
