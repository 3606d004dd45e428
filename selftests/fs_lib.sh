#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scratch filesystems for the dir-log tests: tmpfs, or a fresh filesystem
# made by Debian's mkfs on a loop device over an image file. What was
# mounted and attached is listed in $KLF_FS_STATE (a file: cases run in
# subshells), and fs_cleanup undoes it in reverse order.
#
#	source "$(dirname "$0")/fs_lib.sh"
#	fs_mount ext4 4M "$dir" -b 1024 || { [ $? = 4 ] && skip "$why"; }
#	...
#	fs_cleanup

KLF_FS_STATE=${KLF_FS_STATE:-${TMPDIR:-/tmp}/klf-fs.$$}

# fs_mount FS SIZE DIR [ARG...]: a new, empty FS of SIZE (truncate's and
# tmpfs' suffixes) mounted at DIR (made if missing). tmpfs: ARG are more
# mount options (mode=755); others: ARG are options of mkfs.FS. Returns 4,
# with the reason in $why, if this machine or kernel cannot make one.
fs_mount() {
	local fs=$1 size=$2 dir=$3 img dev opts
	shift 3
	mkdir -p "$dir" || return 1
	if [ "$fs" = tmpfs ]; then
		opts=size=$size
		[ $# -gt 0 ] && opts+=,$(IFS=,; echo "$*")
		mount -t tmpfs -o "$opts" tmpfs "$dir" || return 1
		echo "mount $dir" >> "$KLF_FS_STATE"
		return 0
	fi
	# shellcheck disable=SC2034 # why is the result, for the caller
	command -v "mkfs.$fs" > /dev/null || { why="mkfs.$fs is missing"; return 4; }
	modprobe -q "$fs" 2> /dev/null
	# shellcheck disable=SC2034
	grep -qw "$fs" /proc/filesystems || { why="this kernel has no $fs"; return 4; }
	modprobe -q loop 2> /dev/null
	# shellcheck disable=SC2034
	[ -e /dev/loop-control ] || { why="this kernel has no loop devices"; return 4; }
	img=$dir.img
	truncate -s "$size" "$img" || return 1
	echo "file $img" >> "$KLF_FS_STATE"
	dev=$(losetup -f --show "$img") || return 1
	echo "loop $dev" >> "$KLF_FS_STATE"
	case $fs in
	# xfsprogs refuses filesystems below 300 MB (and a log below 64 MB)
	# unless run by fstests, which tests on small ones as these tests do
	xfs) TEST_DIR=$dir TEST_DEV=$dev QA_CHECK_FS=1 mkfs.xfs -q -f "$@" "$dev" ;;
	*) "mkfs.$fs" -q "$@" "$dev" ;;
	esac > /dev/null || return 1
	mount "$dev" "$dir" || return 1
	echo "mount $dir" >> "$KLF_FS_STATE"
}

# fs_track DIR: a mount made otherwise (bind, overlay, FUSE), undone by
# fs_cleanup in its turn
fs_track() {
	echo "mount $1" >> "$KLF_FS_STATE"
}

# fs_cleanup: unmount, detach and remove what fs_mount and fs_track made,
# the newest first
fs_cleanup() {
	local what arg
	[ -s "$KLF_FS_STATE" ] || { rm -f "$KLF_FS_STATE"; return 0; }
	tac "$KLF_FS_STATE" | while read -r what arg; do
		case $what in
		mount) umount "$arg" 2> /dev/null || umount -l "$arg" ;;
		loop) losetup -d "$arg" ;;
		file) rm -f "$arg" ;;
		esac
	done
	rm -f "$KLF_FS_STATE"
}
