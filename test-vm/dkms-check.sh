#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The Debian package end to end, as root on a Debian 12 host (CI):
#   1. `make -C kmod deb` builds kmod/build/cpu-opv-dkms_<version>_all.deb;
#   2. the headers of the guest's 6.1 kernel and the package are installed with apt-get:
#      dkms builds cpu_opv.ko for that kernel into /lib/modules/<abi>/updates/dkms/;
#   3. the 6.1 guest loads *that* module (test-vm/run --ko, the guest sees the host's
#      /lib/modules over 9p) and runs test-vm/guest-suite.sh against it (or the command given
#      after --), checking that the module loaded is the one dkms built (srcversion);
#   4. the package is removed again, and with it the module (--keep leaves it installed).
#
#   test-vm/dkms-check.sh [--keep] [-- COMMAND...]
#
# The Java tree and kmod/tests must be built (test-vm/suite does that first); without
# target/lib this script runs `mvn -B -ntp -q -DskipTests package` and `make -C kmod/tests`.
# Exit: 0 passed; 1 the guest run failed or the module is not the dkms one; 2 setup failed
# (build, apt-get, dkms).
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
repo=$(cd "$here/.." && pwd -P)
cd "$repo"

keep=0
while [ "$#" -gt 0 ]; do
	case $1 in
	--keep) keep=1 ;;
	--) shift; break ;;
	*) echo "usage: test-vm/dkms-check.sh [--keep] [-- COMMAND...]" >&2; exit 2 ;;
	esac
	shift
done
[ "$#" -gt 0 ] || set -- test-vm/guest-suite.sh

log() { echo "dkms-check: $*"; }
setup_fail() { echo "dkms-check: FAIL (setup): $*" >&2; exit 2; }
apt() { apt-get -o DPkg::Lock::Timeout=600 -q "$@"; }

out=$repo/target/vm-out/dkms
mkdir -p "$out"

# 1. The package.
command -v dh_dkms >/dev/null && command -v dpkg-buildpackage >/dev/null ||
	apt install -y --no-install-recommends dpkg-dev debhelper dh-dkms dkms >"$out/apt-tools.log" 2>&1 ||
	setup_fail "apt-get install debhelper dh-dkms dkms (see $out/apt-tools.log)"
make -s -C kmod deb >"$out/deb-build.log" 2>&1 || setup_fail "make -C kmod deb (see $out/deb-build.log)"
deb=$(ls kmod/build/cpu-opv-dkms_*_all.deb)
version=$(dpkg-deb -f "$deb" Version)
log "built $deb (version $version)"

# 2. The guest kernel's headers (6.1 from bookworm: the ABI the linux-headers-amd64 of this
#    system names, which is also what test-vm/run boots), then the package.
abi=$(apt-cache depends linux-headers-amd64 2>/dev/null |
	sed -n 's/^ *Depends: linux-headers-\(6\.1\.[0-9]*-[0-9]*-amd64\)$/\1/p' | head -n1)
[ -n "$abi" ] || setup_fail "cannot tell the 6.1 kernel ABI from linux-headers-amd64 (apt-get update?)"
log "kernel $abi: installing linux-headers-$abi and the package"
apt install -y --no-install-recommends "linux-headers-$abi" >"$out/apt-headers.log" 2>&1 ||
	setup_fail "apt-get install linux-headers-$abi (see $out/apt-headers.log)"
apt install -y "./$deb" >"$out/apt-deb.log" 2>&1 || setup_fail "apt-get install ./$deb (see $out/apt-deb.log)"
cat "$out/apt-deb.log"
# The postinst builds for the running and the newest installed kernel; make sure of ours.
if ! dkms status -m cpu_opv -v "$version" -k "$abi" | grep -q installed; then
	dkms install "cpu_opv/$version" -k "$abi" >"$out/dkms-install.log" 2>&1 ||
		setup_fail "dkms install cpu_opv/$version -k $abi (see $out/dkms-install.log)"
fi
ko=/lib/modules/$abi/updates/dkms/cpu_opv.ko
[ -f "$ko" ] || setup_fail "$ko was not built"
[ "$(modinfo -F version "$ko")" = "$version" ] || setup_fail "$ko is not version $version"
case $(modinfo -F vermagic "$ko") in
"$abi "*) ;;
*) setup_fail "$ko is not built for $abi: $(modinfo -F vermagic "$ko")" ;;
esac
srcversion=$(modinfo -F srcversion "$ko")
log "dkms built $ko (srcversion $srcversion)"

# 3. The guest suite against the dkms module.
if [ ! -d target/lib ]; then
	log "building the tree (mvn package, kmod/tests)"
	mvn -B -ntp -q -DskipTests package >"$out/mvn.log" 2>&1 || setup_fail "mvn package (see $out/mvn.log)"
	make -s -C kmod/tests >"$out/tests-build.log" 2>&1 || setup_fail "make -C kmod/tests (see $out/tests-build.log)"
fi
status=0
rm -f "$out/guest.rc"
# shellcheck disable=SC2016 # expanded in the guest
{
	rc=0
	test-vm/run --kernel 6.1 --ko "$ko" -- sh -c \
		'echo "dkms-check: loaded srcversion $(cat /sys/module/cpu_opv/srcversion)"; exec "$@"' sh "$@" || rc=$?
	echo "$rc" >"$out/guest.rc"
} 2>&1 | tee "$out/guest.log"
rc=$(cat "$out/guest.rc" 2>/dev/null || echo 2)
if ! grep -q "^dkms-check: loaded srcversion $srcversion\$" "$out/guest.log"; then
	echo "dkms-check: FAIL: the guest did not run the dkms-built module (srcversion $srcversion)" >&2
	status=1
fi
if [ "$rc" -ne 0 ]; then
	echo "dkms-check: FAIL: test-vm/run exited $rc (see $out/guest.log)" >&2
	status=1
fi

# 4. Removing the package removes the module.
if [ "$keep" -eq 0 ]; then
	apt remove -y cpu-opv-dkms >"$out/apt-remove.log" 2>&1 || setup_fail "apt-get remove cpu-opv-dkms"
	[ ! -e "$ko" ] || { echo "dkms-check: FAIL: $ko is still there after the removal" >&2; status=1; }
	log "removed the package; $ko is gone"
fi
[ "$status" -eq 0 ] && log "ok: the guest suite passed on the dkms-built module"
exit "$status"
