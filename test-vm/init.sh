#!/bin/sh
# /init of the test VM's initramfs (runs as PID 1 under busybox sh; no bash here).
# test-vm/run writes /vm.env (settings and the command) into a per-run cpio
# appended to the cached base initramfs. This script never exits: it always ends
# by powering the VM off, because PID 1 exiting panics the kernel.
# shellcheck shell=sh
# shellcheck disable=SC1091   # /vm.env only exists inside the guest

PATH=/bin:/sbin
export PATH
umask 022

say() { echo "cpu-opv-vm: $*"; }

uptime_s() { read -r up _ < /proc/uptime; echo "$up"; }

halt_vm() {
	sync
	poweroff -f
	# Should not get here; sysrq 'o' is the fallback power-off.
	echo o > /proc/sysrq-trigger
	sleep 5
	reboot -f
}

# Report a guest setup failure: one line on the console and, when the result
# share is mounted, in $OUT/vm-error for the host to print. Then power off.
die() {
	say "FATAL: $*"
	if [ -n "${OUT_MOUNTED:-}" ]; then
		echo "$*" > "/host$VM_OUT/vm-error"
		dmesg > "/host$VM_OUT/dmesg.txt" 2>/dev/null
	fi
	halt_vm
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

. /vm.env
hostname cpu-opv-vm

if [ "${VM_VERBOSE:-0}" = 1 ]; then
	verbose() { say "$@"; }
else
	verbose() { :; }
fi

say "init reached at $(uptime_s)s"
if [ "${VM_PROBE:-0}" = 1 ]; then
	halt_vm
fi

# Command output goes to the serial console unchanged: no \n -> \r\n.
stty -onlcr < /dev/console 2>/dev/null

# The virtio + 9p stack, in dependency order (test-vm/run resolved it).
if [ -f /lib/modules/load-order ]; then
	while read -r ko; do
		[ -n "$ko" ] || continue
		if ! err=$(insmod "/lib/modules/$ko" 2>&1); then
			case "$err" in
			*"File exists"*) ;;
			*) say "insmod $ko failed: $err" ;;
			esac
		fi
	done < /lib/modules/load-order
fi

mkdir -p /host
# The host root, read-only. Nothing on the host side changes while the guest
# runs except the result share (mounted separately), so caching is safe.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose host /host ||
	die "cannot mount the host root over 9p"
verbose "host root mounted at $(uptime_s)s"

# A second view of the host root, for what the tmpfs mounts below hide.
mkdir -p /hostfs
mount -o bind /host /hostfs || die "cannot bind the host root"

mount -t proc proc /host/proc || die "mount proc in the chroot"
mount -t sysfs sysfs /host/sys || die "mount sysfs in the chroot"
mount -t devtmpfs devtmpfs /host/dev || die "mount devtmpfs in the chroot"
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /host/dev/pts || die "mount devpts in the chroot"
# noexec, as many distributions mount it: the native loader's noexec hint gets a real test.
mount -t tmpfs -o mode=1777,nosuid,nodev,noexec tmpfs /host/dev/shm || die "mount tmpfs on /dev/shm"
mount -t tmpfs -o mode=1777 tmpfs /host/tmp || die "mount tmpfs on /tmp"
mount -t tmpfs -o mode=755 tmpfs /host/run || die "mount tmpfs on /run"

# A repository or working directory under /tmp, /dev/shm or /run (CI may
# clone there) would be hidden by those tmpfs mounts: show it again.
for dir in "$VM_REPO" "$VM_CWD"; do
	case "$dir" in
	/tmp/* | /dev/shm/* | /run/*)
		# (busybox-static has no mountpoint applet)
		if [ -d "/hostfs$dir" ] && ! grep -q "^[^ ]* /host$dir " /proc/mounts; then
			mkdir -p "/host$dir" &&
				mount -o bind "/hostfs$dir" "/host$dir" ||
				die "cannot show $dir inside the chroot"
		fi
		;;
	esac
done

# The writable result share sits at the same absolute path as on the host.
# A path under one of the tmpfs mounts above has to be created first.
mkdir -p "/host$VM_OUT" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out "/host$VM_OUT" ||
	die "cannot mount the result share at $VM_OUT"
OUT_MOUNTED=1

if [ "$VM_MODULE" = 1 ]; then
	# The same file sits in the cache at $VM_KO on the host; when that path is
	# hidden by a tmpfs in the chroot, put the copy there so tests find it.
	if [ ! -f "/host$VM_KO" ]; then
		{ mkdir -p "/host${VM_KO%/*}" && cp /cpu_opv.ko "/host$VM_KO"; } ||
			die "cannot place cpu_opv.ko at $VM_KO"
	fi
	err=$(insmod /cpu_opv.ko 2>&1) || die "insmod cpu_opv.ko failed: $err"
	verbose "cpu_opv.ko loaded"
fi

# The boot options ask for one 1 GiB hugetlb page (the ioctl suite's
# hugetlb case needs it): say when the kernel could not reserve it.
gigantic=/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
if [ "$(cat "$gigantic" 2>/dev/null)" != 1 ]; then
	say "note: no 1 GiB hugetlb page was reserved at boot (nr_hugepages: $(cat "$gigantic" 2>/dev/null || echo none))"
fi

if [ ! -d "/host$VM_CWD" ]; then
	case "$VM_CWD" in
	/tmp/* | /dev/shm/* | /run/*)
		say "note: $VM_CWD is under a tmpfs of the guest; running in an empty directory"
		mkdir -p "/host$VM_CWD"
		;;
	esac
	[ -d "/host$VM_CWD" ] || die "working directory $VM_CWD does not exist in the guest"
fi

start=$(uptime_s)
say "running on $(uname -r) (boot took ${start}s): $VM_CMDLINE"
# Run the command chrooted into the host root with a clean environment.
# vm.env defined vm_run_command(), which sets the argument list and calls
# env -i ... chroot /host /bin/sh -c 'cd ... && exec "$@"'.
vm_run_command < /dev/null
status=$?
end=$(uptime_s)
say "command exited with status $status after $(awk "BEGIN{printf \"%.1f\", $end - $start}")s"

unload=skipped
if [ "$VM_MODULE" = 1 ] && grep -q '^cpu_opv ' /proc/modules; then
	# Unloading catches module exit path bugs; a busy module is only noted.
	if rmmod cpu_opv 2>/dev/null; then unload=ok; else unload=failed; fi
fi

{
	echo "boot_to_command_s=$start"
	echo "command_s=$(awk "BEGIN{printf \"%.2f\", $end - $start}")"
	echo "kernel=$(uname -r)"
	echo "tainted=$(cat /proc/sys/kernel/tainted)"
	echo "rmmod=$unload"
} > "/host$VM_OUT/vm-info"
echo "$status" > "/host$VM_OUT/exit-status"
dmesg > "/host$VM_OUT/dmesg.txt"
sync
umount "/host$VM_OUT" 2>/dev/null
halt_vm
