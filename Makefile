# SPDX-License-Identifier: GPL-2.0
#
# klogfwd top-level Makefile. "make help" lists the targets.
#
# Out-of-tree kbuild writes objects into the module's source directory, so
# each kernel gets its own copy of the sources under build/<release>/ and
# is built there: objects for different kernels never mix.

TOP := $(abspath .)
KLF_CACHE ?= /var/cache/klogfwd
export KLF_CACHE

# KVER: a release, or 6.1 / 6.12 / rt (6.12 PREEMPT_RT) / debug. Default: the running kernel when
# its build directory exists, else the default VM kernel (6.12).
ifeq ($(KVER),)
ifneq ($(wildcard /lib/modules/$(shell uname -r)/build/Makefile),)
KVER := $(shell uname -r)
else
KVER := 6.12
endif
endif
KREL = $(shell $(TOP)/tools/vm/kernels release $(KVER))
KDIR = $(shell $(TOP)/tools/vm/kernels kdir $(KVER))
BDIR = $(TOP)/build/$(KREL)

KSRC := $(TOP)/build/ksrc
V ?= 0

.PHONY: all help module modules tools selftests deps ksrc regen regen-check \
	style debug-kernel check check-long quick demo bench bench-progs soak install uninstall \
	dkms-install dkms-uninstall vm clean distclean

all: module tools

help:
	@echo "klogfwd targets:"
	@echo "  make [KVER=6.1|6.12|rt|debug|RELEASE]  build klogfwd.ko and the CLI"
	@echo "  make deps          install build and test dependencies (apt, as root)"
	@echo "  make check         everything: deps, builds, style, the suite on every kernel"
	@echo "  make check-long    make check with every test on every kernel and the long counts"
	@echo "  make quick [KVER=6.12] [TESTS=...]  one kernel, the tests the change touches"
	@echo "  make demo          boot the VM, load the module, show it working"
	@echo "  make vm            interactive VM shell with the module loaded"
	@echo "  make bench         boot the VM and measure klogfwd against userspace forwarders"
	@echo "  make soak [DURATION=10m] [KVER=6.12]  long run with faults: no record lost, no leak"
	@echo "  make modules       build the module for 6.1, 6.12, rt and (if built) debug"
	@echo "  make debug-kernel  build (once, cached) the 6.12 debug kernel"
	@echo "  make style         checkpatch --strict, kernel-doc, codespell"
	@echo "  make regen         regenerate uapi/netlink code from the YNL spec"
	@echo "  make install       install module (for KVER), CLI, man page, completion"
	@echo "  make uninstall     remove what make install installed (module for KVER)"
	@echo "  make dkms-install  sources to /usr/src/klogfwd-VERSION, dkms add, dkms install -k KVER"
	@echo "  make dkms-uninstall  dkms remove --all, remove the sources from /usr/src"

# Copy the module sources into the per-kernel build directory; rsync keeps
# mtimes, so kbuild rebuilds only what changed.
module:
	@mkdir -p $(BDIR)
	@rsync -a --delete --include='/Kbuild' --include='/VERSION' --include='/kmod/***' \
		--include='/uapi/***' --include='/selftests/' --include='/selftests/kmod/***' \
		--include='/*.o' --include='/*.ko' --include='/.*.cmd' --include='/*.mod*' \
		--include='/Module.symvers' --include='/modules.order' --exclude='*' \
		$(TOP)/ $(BDIR)/
	$(MAKE) -C $(KDIR) M=$(BDIR) W=1 $(if $(filter 1,$(SPARSE)),C=2) modules
	$(MAKE) -C $(KDIR) M=$(BDIR)/selftests/kmod W=1 modules
	@echo "  built $(BDIR)/klogfwd.ko"

modules:
	$(MAKE) module KVER=6.1
	$(MAKE) module KVER=6.12
	$(MAKE) module KVER=rt
	@if $(TOP)/tools/vm/debug-kernel --print-dir >/dev/null 2>&1; then \
		$(MAKE) module KVER=debug; fi

tools:
	$(MAKE) -C tools V=$(V)

selftests: ksrc
	@mkdir -p $(TOP)/build/selftests
	$(MAKE) -C selftests OUTPUT=$(TOP)/build/selftests KSRC=$(KSRC) all

deps:
	$(TOP)/tools/deps

# The kernel source (kselftest harness, checkpatch, YNL, debug kernel) is
# extracted from the installed linux-source-6.12 package, never vendored.
ksrc:
	@$(TOP)/tools/ksrc

regen: ksrc
	$(TOP)/tools/ynl-regen

regen-check: ksrc
	$(TOP)/tools/ynl-regen --check

style: ksrc
	$(TOP)/tools/style

debug-kernel: ksrc
	$(TOP)/tools/vm/debug-kernel

check:
	$(TOP)/tools/check

check-long:
	KLF_CHECK_LONG=1 $(TOP)/tools/check

quick:
	KVER=$(KVER) $(TOP)/tools/quick

demo:
	$(TOP)/tools/demo

# The benchmark programs (build/bench/); "make bench" builds everything the
# guest needs, notes the host, and runs tools/bench/run in one VM boot. It
# prints a report (build/vm/last/bench.txt) and never fails on a number.
bench-progs:
	$(MAKE) -C tools/bench V=$(V)

bench: module tools selftests bench-progs
	@printf 'host: %s cores (%s), %s\n' "$$(nproc)" \
		"$$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
		"$$(uname -sr)" > $(TOP)/build/bench/host.txt
	$(TOP)/tools/vm/run --kernel $(KVER) --load --mem 2048 --cpus 2 --timeout 1500 -- tools/bench/run
	@echo; echo "report: build/vm/last/bench.txt"; cat $(TOP)/build/vm/last/bench.txt

# The soak test: selftests/soak.sh for DURATION (600, 10m, 90s) in one VM
# boot; KVER picks the kernel (6.12 unless given).
DURATION ?= 10m
soak: module tools selftests
	$(TOP)/tools/soak/run $(KVER) $(DURATION)

vm: module tools
	$(TOP)/tools/vm/run --kernel $(KVER) --load --shell

# make install [KVER=...] [DESTDIR=...]: the module goes where kbuild puts
# external modules (/lib/modules/<release>/updates or extra, by kernel), the
# CLI, man page and bash completion under PREFIX (/usr/local).
install: module tools
	$(MAKE) -C $(KDIR) M=$(BDIR) INSTALL_MOD_PATH=$(DESTDIR) modules_install
	$(if $(DESTDIR),depmod -b $(DESTDIR) -a $(KREL),depmod -a $(KREL))
	$(MAKE) -C tools install

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KREL)/updates/klogfwd.ko* \
		$(DESTDIR)/lib/modules/$(KREL)/extra/klogfwd.ko*
	$(if $(DESTDIR),depmod -b $(DESTDIR) -a $(KREL),depmod -a $(KREL))
	$(MAKE) -C tools uninstall

# DKMS: the module's sources (and nothing else) under /usr/src, registered
# with DKMS, which then rebuilds the module for every kernel it installs
# (AUTOINSTALL). dkms.conf names the version; it must match VERSION.
KLF_VERSION := $(strip $(shell cat $(TOP)/VERSION))
DKMS_SRC := /usr/src/klogfwd-$(KLF_VERSION)

dkms-install:
	@grep -qx 'PACKAGE_VERSION="$(KLF_VERSION)"' $(TOP)/dkms.conf || \
		{ echo "dkms.conf: PACKAGE_VERSION is not VERSION ($(KLF_VERSION))" >&2; exit 1; }
	@if dkms status klogfwd/$(KLF_VERSION) 2>/dev/null | grep -q .; then \
		echo "klogfwd/$(KLF_VERSION) is already in DKMS; make dkms-uninstall first" >&2; \
		exit 1; fi
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -R $(TOP)/Kbuild $(TOP)/VERSION $(TOP)/dkms.conf $(TOP)/kmod $(TOP)/uapi $(DKMS_SRC)/
	dkms add klogfwd/$(KLF_VERSION)
	dkms install klogfwd/$(KLF_VERSION) -k $(KREL)

dkms-uninstall:
	-dkms remove klogfwd/$(KLF_VERSION) --all
	rm -rf $(DKMS_SRC)

clean:
	rm -rf $(TOP)/build/[0-9]* $(TOP)/build/tools $(TOP)/build/selftests $(TOP)/build/bench \
		$(TOP)/build/vm/runs

distclean:
	rm -rf $(TOP)/build
