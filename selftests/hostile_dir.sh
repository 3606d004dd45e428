#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# Dir logs whose directory is hostile: whatever was planted under the names
# a log uses (FIFOs, sockets, devices, symlinks, hard links, foreign files,
# absurd segment names, garbage indexes, framing and cursor files), a
# directory writable by others or reached through a symlink, a directory
# already in use through a bind mount, and filesystems that cannot hold a
# dir log. Each is refused with its message or recovered, as the contract
# says; a refusal changes no segment file, and another log keeps answering
# while a refusal is made. Recovery never destroys: a lost framing file, a
# corrupt sealed segment and a torn tail. On tmpfs, ext4, xfs and btrfs (on
# loop devices, each skipped if this machine or kernel lacks it) a dir log
# delivers every record byte for byte (and ext4 through an idmapped mount,
# whose owners the checks see as the mount shows them); 9p, overlayfs, FUSE
# and DAX (ext4 -o dax on emulated pmem) are refused.

# shellcheck disable=SC2317 # the cases are called through check()
# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091
source "$(dirname "$0")/lib.sh"
# shellcheck source=SCRIPTDIR/target_lib.sh disable=SC1091
source "$(dirname "$0")/target_lib.sh"
# shellcheck source=SCRIPTDIR/fs_lib.sh disable=SC1091
source "$(dirname "$0")/fs_lib.sh"
require_module
require_tools

k=$KLOGFWD
# Short paths: on 6.12 an extack message holds at most 79 characters, and
# the distinctive part comes after the directory's name.
S=/tmp/hd$$
Z=00000000000000000000
NREC=$(( $(klf_long 400 4000) / KLF_SLOW ))

# the test's logs are hd-*, its targets hd*; mounts and loop devices made
# are undone by fs_cleanup (fs_lib.sh)
cleanup() {
	local f
	for f in "$KLF_DFS"/targets/hd*; do
		[ -e "$f" ] && "$k" target del "${f##*/}"
	done
	for f in "$WORK"/*.pid; do
		[ -s "$f" ] && kill "$(< "$f")" 2> /dev/null
	done
	for f in "$KLF_DFS"/logs/hd-*; do
		[ -e "$f" ] && "$k" log del "${f##*/}"
	done
	fs_cleanup
	rm -rf --one-file-system "$S" "$WORK" "$DIRW"
}
trap cleanup EXIT

mkdir "$S" || exit 1
# done_within SECS PID: PID (a child) ends within SECS seconds
done_within() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		kill -0 "$2" 2> /dev/null || return 0
		nap 0.1
	done
	return 1
}

# is_ DESC GOT WANT: compare, saying what differs
is_() {
	[ "$2" = "$3" ] && return 0
	echo "$1: $2, expected $3"
	return 1
}

# undo CMD...: CMD, a log or target add, succeeded where it must not have:
# delete what it created, so that the next cases test their own thing
undo() {
	case "$2 $3" in
	"log add") "$k" log del "$4" ;;
	"target add") "$k" target del "$4" ;;
	esac
}

# rejects RE CMD...: CMD exits 1 with a message matching RE, within 30 s.
# 6.1's extack keeps only a message's format: its numbers and names show as
# %u and %s there, and RE allows for that where the message has them.
rejects() {
	local re=$1 out rc
	shift
	out=$(timeout -k 5 30 "$@" 2>&1)
	rc=$?
	[ "$rc" = 1 ] && [[ $out =~ $re ]] && return 0
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "'$*' did not return within 30 s"
	else
		[ "$rc" = 0 ] && undo "$@"
		echo "'$*' exited $rc; expected exit 1 and a message matching '$re'; it said: $out"
	fi
	return 1
}

sums() {
	md5sum "$@" 2>&1
}

# untouched DIR CMD...: CMD succeeds and every DIR/*.log has the same
# bytes afterwards
untouched() {
	local d=$1 before after
	shift
	before=$(sums "$d"/*.log)
	"$@" || return 1
	after=$(sums "$d"/*.log)
	[ "$before" = "$after" ] && return 0
	echo "segment files changed:"
	diff <(echo "$before") <(echo "$after")
	return 1
}

# refused_live RE CMD...: CMD (a log or target add, given at most 20 s) is
# refused with a message matching RE, and while it runs the witness log
# hd-w answers: "log show hd-w" and an append through /dev/klogfwd/hd-w
# each finish within 5 s
refused_live() {
	local re=$1 pid spid wpid prc rc=0 out=
	shift
	timeout -k 5 20 "$@" > "$S/live.out" 2>&1 &
	pid=$!
	"$k" log show hd-w > /dev/null 2>&1 &
	spid=$!
	( printf 'alive\n' > /dev/klogfwd/hd-w ) 2> /dev/null &
	wpid=$!
	if ! done_within 5 "$spid"; then
		echo "'log show' of another log did not answer within 5 s"
		rc=1
	elif ! wait "$spid"; then
		echo "'log show' of another log failed"
		rc=1
	fi
	if ! done_within 5 "$wpid"; then
		echo "an append to another log did not finish within 5 s"
		rc=1
	elif ! wait "$wpid"; then
		echo "an append to another log failed"
		rc=1
	fi
	wait "$pid"
	prc=$?
	wait
	IFS= read -r -d '' out < "$S/live.out"
	if [ "$prc" = 124 ] || [ "$prc" = 137 ]; then
		echo "'$*' did not return within 20 s"
		rc=1
	elif [ "$prc" != 1 ] || ! [[ $out =~ $re ]]; then
		[ "$prc" = 0 ] && undo "$@"
		echo "'$*' exited $prc; expected exit 1 and a message matching '$re'; it said: $out"
		rc=1
	fi
	return "$rc"
}

# mksock PATH: a unix socket file (python3 or socat)
mksock() {
	local pid
	if command -v python3 > /dev/null; then
		python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$1"
	elif command -v socat > /dev/null; then
		socat "UNIX-LISTEN:$1,unlink-close=0" /dev/null > /dev/null 2>&1 &
		pid=$!
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			[ -S "$1" ] && break
			nap 0.3
		done
		kill $pid
		wait $pid
		[ -S "$1" ]
	else
		return 1
	fi
}

ktap_plan 42

# --- 1. planted before log add ------------------------------------------

check "a witness log, which must keep answering while dir logs are refused" "$k" log add hd-w

mkdir "$S"/{p,u,c,f,d,fr,vd,s,w,t,n,real}
mkfifo "$S/p/$Z.log" "$S/fr/framing"
mknod "$S/c/$Z.log" c 1 5
printf 'precious' > "$S/victim"
ln -s "$S/victim" "$S/f/$Z.log"
ln -s "$S/vd" "$S/d/$Z.log"

not_regular='is not a regular file'
check "a FIFO as a segment: refused, and other logs answer meanwhile" \
	refused_live "$not_regular" "$k" log add hd-p dir "$S/p"
if mksock "$S/u/$Z.log" > /dev/null 2>&1; then
	check "a unix socket as a segment: refused, and other logs answer meanwhile" \
		refused_live "$not_regular" "$k" log add hd-u dir "$S/u"
else
	ktap_result 4 "a unix socket as a segment: neither python3 nor socat can make one"
fi
check "a device node (/dev/zero's) as a segment: refused, and other logs answer meanwhile" \
	refused_live "$not_regular" "$k" log add hd-c dir "$S/c"
# the file it points to looks like an lf segment with a torn tail: a log
# that followed the link would cut it
symlink_file() {
	local got=
	refused_live "$not_regular" "$k" log add hd-f dir "$S/f" || return 1
	IFS= read -r -d '' got < "$S/victim"
	is_ "the file the symlink points to holds" "$got" precious
}
check "a symlink to a file as a segment: refused, the file it points to unchanged" symlink_file
check "a symlink to a directory as a segment: refused, and other logs answer meanwhile" \
	refused_live "$not_regular" "$k" log add hd-d dir "$S/d"
check "a FIFO as the framing file: refused, and other logs answer meanwhile" \
	refused_live "$not_regular" "$k" log add hd-fr dir "$S/fr"

# one real segment, written by hand as an older version would have left it
printf 'lf\n' > "$S/s/framing"
printf 'one\ntwo\nthree\n' > "$S/s/$Z.log"
# refused_s RE: adding the log of $S/s is refused, no segment changed
refused_s() {
	untouched "$S/s" rejects "$1" "$k" log add hd-s dir "$S/s"
}
ln "$S/s/$Z.log" "$S/s.link"
check "a segment with a second hard link: refused, no segment changed" refused_s 'has (2|%u) links'
rm "$S/s.link"
chown 65534 "$S/s/$Z.log"
check "a segment owned by another uid: refused, no segment changed" \
	refused_s 'is owned by uid (65534|%u)'
chown 0 "$S/s/$Z.log"
printf 'x\n' > "$S/s/18446744073709551615.log"
check "a segment named 18446744073709551615.log: refused, no segment changed" \
	refused_s 'base offset is too large'
rm "$S/s/18446744073709551615.log"
big() {
	local sum
	sum=$(sums "$S/s/$Z.log")
	truncate -s 5G "$S/s/00000000000000001000.log" || return 1
	rejects 'larger than 4 GiB' "$k" log add hd-s dir "$S/s"
	local rc=$?
	is_ "the big file's size" "$(stat -c %s "$S/s/00000000000000001000.log")" 5368709120 || rc=1
	is_ "the first segment" "$(sums "$S/s/$Z.log")" "$sum" || rc=1
	rm "$S/s/00000000000000001000.log"
	return "$rc"
}
check "a segment file larger than 4 GiB: refused, no segment changed" big
# 65537 segment files (empty, made by one process): more than recovery
# holds in memory
many() {
	local rc
	mkdir "$S/many" || return 1
	python3 -c 'import sys
for i in range(1, 65538):
    open("%s/%020d.log" % (sys.argv[1], i * 10), "w").close()' "$S/many" || return 1
	rejects 'more than (65536|%u) segments' "$k" log add hd-m dir "$S/many"
	rc=$?
	rm -rf "$S/many"
	return "$rc"
}
if ! command -v python3 > /dev/null; then
	ktap_result 4 "a directory of 65537 segments: refused (no python3)"
elif [ "$KLF_SLOW" -gt 1 ] && [ "$KLF_LONG" != 1 ]; then
	# 65537 files cost the debug kernel 2.5 minutes, and a counter
	# needs no KASAN: the stock kernels run it, make check-long here too
	ktap_result 4 "a directory of 65537 segments: refused (debug kernel: make check-long)"
else
	check "a directory of 65537 segments: refused" many
fi
accepted() {
	"$k" log add hd-s dir "$S/s" || return 1
	is_ "records recovered" "$(lstat hd-s next_offset)" 3 &&
	"$k" log del hd-s
}
check "the same directory with nothing planted is recovered (3 records)" accepted

chmod 777 "$S/w"
check "a world-writable directory (0777) is refused" \
	rejects 'writable by group or others' "$k" log add hd-w2 dir "$S/w"
chmod 1777 "$S/t"
sticky() {
	"$k" log add hd-t dir "$S/t" && "$k" log del hd-t
}
check "a root-owned sticky directory (1777, as /tmp) is accepted" sticky
chown 65534 "$S/n"
check "a directory owned by another uid is refused" \
	rejects "it must be yours or root's" "$k" log add hd-n dir "$S/n"
mkdir "$S/real/x"
ln -s "$S/real" "$S/l"
check "a dir path with a symlink component is refused" \
	rejects 'without following symlinks' "$k" log add hd-l dir "$S/l/x"
[ -e "$KLF_DFS/logs/hd-l" ] && "$k" log del hd-l
# the same request as the kernel gets it from a client that does not
# resolve the path first: the kernel's own YNL CLI
ynl=$KLF_TOP/build/ksrc/tools/net/ynl/cli.py
Y() {
	/usr/bin/python3 "$ynl" --spec "$KLF_TOP/Documentation/netlink/specs/klogfwd.yaml" \
		--schema "$KLF_TOP/build/ksrc/Documentation/netlink/genetlink.yaml" "$@"
}
ynl_symlink() {
	local out
	out=$(Y --do log-new --json "{\"name\": \"hd-l\", \"storage\": \"dir\", \"dir\": \"$S/l/x\"}" 2>&1) &&
		{ echo "the kernel accepted it"; "$k" log del hd-l; return 1; }
	[[ $out =~ 'without following symlinks' ]] && return 0
	echo "refused, but not for the symlink: $out"
	return 1
}
desc="the same path sent as it is (YNL): the kernel refuses it"
if [ -f "$ynl" ] && /usr/bin/python3 -c 'import yaml, jsonschema' 2> /dev/null; then
	check "$desc" ynl_symlink
else
	ktap_result 4 "$desc: skipped, no YNL CLI (make ksrc) or python3-yaml/jsonschema"
fi

# --- 2. recovery never destroys (with the index, framing and cursor files)

R=$S/r
mkdir "$R"
fill() {
	"$k" log add hd-r dir "$R" framing klf segment-bytes 4096 max-record 512 &&
	"$PRODUCE" -o /dev/klogfwd/hd-r -n 300 --min 16 --max 100 --seed 3 > /dev/null &&
	is_ "next offset" "$(lstat hd-r next_offset)" 300 || return 1
	[ "$(lstat hd-r segments)" -ge 4 ] || { echo "fewer than 4 segments"; return 1; }
}
check "a klf dir log with 300 records in several segments" fill
"$k" log del hd-r
segs=("$R"/*.log)

printf '\001\002garbage\n' > "$R/framing"
check "a garbage framing file: refused, no segment changed" \
	untouched "$R" rejects 'must hold lf, octet or klf' "$k" log add hd-r dir "$R" \
	framing klf segment-bytes 4096 max-record 512
printf -v pad '%65536s' ''
printf 'klf\n%s' "$pad" > "$R/framing"
check "an oversized framing file (klf and 64 KiB more): refused, no segment changed" \
	untouched "$R" rejects 'must hold lf, octet or klf' "$k" log add hd-r dir "$R" \
	framing klf segment-bytes 4096 max-record 512
: > "$R/framing"
check "an empty framing file, added with the default framing (lf): refused, no segment changed" \
	untouched "$R" rejects 'the framing file is missing or empty' "$k" log add hd-r dir "$R" \
	segment-bytes 4096 max-record 512
rm "$R/framing"
check "no framing file, added with the default framing (lf): refused, no segment changed" \
	untouched "$R" rejects 'the framing file is missing or empty' "$k" log add hd-r dir "$R" \
	segment-bytes 4096 max-record 512
add_again() {
	local f=
	"$k" log add hd-r dir "$R" framing klf segment-bytes 4096 max-record 512 || return 1
	is_ "next offset" "$(lstat hd-r next_offset)" 300 || return 1
	IFS= read -r f < "$R/framing"
	is_ "the framing file" "$f" klf
}
check "added with framing klf: every record back (next offset 300), framing file rewritten" \
	untouched "$R" add_again

"$k" log del hd-r
printf 'GARBAGE!' > "${segs[1]%.log}.index"
truncate -s 3 "${segs[2]%.log}.index"
index() {
	"$k" log add hd-r dir "$R" framing klf segment-bytes 4096 max-record 512 || return 1
	is_ "next offset" "$(lstat hd-r next_offset)" 300 &&
	is_ "index rebuilds" "$(lstat hd-r index_rebuilds)" 2
}
check "a garbage and a truncated .index: rebuilt (index_rebuilds 2), no segment changed" \
	untouched "$R" index

# a target added "from resume" reads its cursor file; one that cannot be
# trusted must be as if there were none: start at the first record
mkfifo "$R/hdfifo.cursor"
check "a FIFO as a target's cursor file: target add refused, other logs answer meanwhile" \
	refused_live "$not_regular" "$k" target add hdfifo log hd-r to 127.0.0.1:9 from resume paused
printf 'garbage-garbage!' > "$R/hdg.cursor"
: > "$R/hde.cursor"
truncate -s 1M "$R/hdo.cursor"
from_first() {
	"$k" target add "$1" log hd-r to 127.0.0.1:9 from resume paused || return 1
	is_ "it starts at" "$(tstat "$1" next_offset)" 0 &&
	"$k" target del "$1"
}
check "a garbage cursor file: the target starts at the first record" from_first hdg
check "an empty cursor file: the target starts at the first record" from_first hde
check "an oversized cursor file (1 MiB): the target starts at the first record" from_first hdo

"$k" log del hd-r
seal=${segs[1]}
cp "$seal" "$S/seal.orig"
dd of="$seal" bs=1 seek=$(( $(stat -c %s "$seal") / 2 )) conv=notrunc status=none <<< XXXXXXXX
check "a sealed segment corrupt in its middle: refused, no segment changed" \
	untouched "$R" rejects 'move the file aside' "$k" log add hd-r dir "$R" \
	framing klf segment-bytes 4096 max-record 512
cp "$S/seal.orig" "$seal"

# the first half of record 300, framed as the log would have framed it
"$PRODUCE" -o "$S/rec" -n 1 --seq-start 300 --frame klf --offset-start 300 --min 100 --max 100 > /dev/null
torn() {
	local segs1 before after newest half
	segs1=("$R"/*.log)
	newest=${segs1[-1]}
	before=$(sums "${segs1[@]}")
	half=$(( $(stat -c %s "$S/rec") / 2 ))
	head -c "$half" "$S/rec" >> "$newest"
	"$k" log add hd-r dir "$R" framing klf segment-bytes 4096 max-record 512 || return 1
	is_ "truncated bytes" "$(lstat hd-r truncated_bytes)" "$half" &&
	is_ "next offset" "$(lstat hd-r next_offset)" 300 || return 1
	after=$(sums "${segs1[@]}")
	[ "$before" = "$after" ] && return 0
	echo "segment files are not as before the tear:"
	diff <(echo "$before") <(echo "$after")
	return 1
}
check "a torn tail (half a record appended): cut and counted, every segment as before" torn

mkdir "$S/rb"
mount --bind "$R" "$S/rb" && fs_track "$S/rb"
check "the directory of a live log through a bind mount: refused as in use" \
	rejects 'is in use by log (hd-r|%s)' "$k" log add hd-r2 dir "$S/rb" framing klf \
	segment-bytes 4096 max-record 512

# a live lf log whose sealed segment loses a newline behind its back: it
# now parses into one record fewer than counted; a reader gets an error
# (the cursor lookup looped forever under the log's lock)
merged() {
	local i rec segs rc
	mkdir "$S/lf" || return 1
	"$k" log add hd-lf dir "$S/lf" segment-bytes 4096 max-record 512 || return 1
	printf -v rec '%099d' 0
	for ((i = 0; i < 100; i++)); do
		printf '%s\n' "$rec" > /dev/klogfwd/hd-lf || return 1
	done
	segs=("$S"/lf/*.log)
	[ ${#segs[@]} -ge 3 ] || { echo "only ${#segs[@]} segments"; return 1; }
	printf x | dd of="${segs[1]}" bs=1 seek=99 conv=notrunc status=none || return 1
	timeout -k 5 10 cat /dev/klogfwd/hd-lf > /dev/null 2> "$S/merged.err"
	rc=$?
	if [ "$rc" = 0 ] || [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "reading the log: exit $rc (expected an error, within 10 s)"
		return 1
	fi
	grep -q 'Bad message' "$S/merged.err" || { cat "$S/merged.err"; return 1; }
	"$k" log show hd-w > /dev/null
}
check "a live segment changed behind the log's back: a read fails (EBADMSG), never loops" merged

# --- 3. filesystems -------------------------------------------------------

# deliver FS: a klf dir log on FS with NREC records of 1..2000 bytes over
# several segments, a target to klf_recv: every record arrives once, in
# order, and the bytes received are the segment files' bytes
deliver() {
	local fs=$1 d=$S/$1/d port
	mkdir "$d" || return 1
	"$k" log add "hd-$fs" dir "$d" framing klf segment-bytes 65536 max-record 4096 ||
		return 1
	"$PRODUCE" -o "/dev/klogfwd/hd-$fs" -n "$NREC" --min 1 --max 2000 --seed 5 > /dev/null ||
		return 1
	port=$(free_port)
	recv_start "r$fs" -l "127.0.0.1:$port" -f klf -o "$S/$fs.bin" -n "$NREC" -t 60 || return 1
	"$k" target add "hd$fs" log "hd-$fs" to "127.0.0.1:$port" || return 1
	recv_wait "r$fs" 60 || return 1
	cat "$d"/*.log | cmp - "$S/$fs.bin" || return 1
	"$k" target del "hd$fs" && "$k" log del "hd-$fs"
}

for fs in tmpfs ext4 xfs btrfs; do
	desc="$fs: a dir log delivers $NREC records byte for byte"
	why=
	if [ $fs = tmpfs ]; then
		fs_mount tmpfs 64m "$S/$fs" mode=755
	else
		fs_mount $fs 128M "$S/$fs"
	fi > "$S/fs.out" 2>&1
	case $? in
	0) check "$desc" deliver $fs ;;
	4) ktap_result 4 "$desc: skipped, $why" ;;
	*) sed 's/^/# /' "$S/fs.out"; ktap_result 1 "$desc: cannot make the filesystem" ;;
	esac
done

# ext4 through an idmapped mount (klf_idmap: what ext4 stores as uid 1000
# is root's through it). The owner rules look at the owner the mount shows,
# as the VFS does: through the plain path the directory is 1000's and root
# is refused; through the idmapped one root owns it, the log's files are
# stored as 1000, and a recovery accepts them and finds every record.
idmapped() {
	local m=$S/ext4/idm im=$S/idm
	mkdir -p "$m/d" "$im" && chown -R 1000:1000 "$m" && chmod 755 "$m/d" || return 1
	"$KLF_BIN/klf_idmap" "$m" "$im" "1000 0 1" || return 1
	fs_track "$im"
	rejects "dir is owned by uid (1000|%u): it must be yours or root's" \
		"$k" log add hd-idm dir "$m/d" framing klf || return 1
	"$k" log add hd-idm dir "$im/d" framing klf segment-bytes 65536 max-record 4096 || return 1
	"$PRODUCE" -o /dev/klogfwd/hd-idm -n 300 --min 1 --max 1000 --seed 7 > /dev/null &&
	cat /dev/klogfwd/hd-idm > "$S/idm.before" || return 1
	[ "$(stat -c %u "$m"/d/$Z.log)" = 1000 ] && [ "$(stat -c %u "$im"/d/$Z.log)" = 0 ] ||
		{ echo "owners: $(stat -c '%n %u' "$m"/d/* "$im"/d/*)"; return 1; }
	"$k" log del hd-idm && "$k" log add hd-idm dir "$im/d" framing klf segment-bytes 65536 max-record 4096 &&
	cat /dev/klogfwd/hd-idm | cmp - "$S/idm.before" &&
	[ "$(lstat hd-idm recovered_records)" = 300 ] && "$k" log del hd-idm
}
desc="ext4 through an idmapped mount: owners as the mount shows them, recovered"
if ! mountpoint -q "$S/ext4"; then
	ktap_result 4 "$desc: skipped, no ext4 here"
else
	check "$desc" idmapped
fi

# refused_fs MNT: a dir log in MNT/d is refused for its filesystem, and the
# kernel took no new taint (no oops, no warning)
refused_fs() {
	local t0 t1
	read -r t0 < /proc/sys/kernel/tainted
	mkdir "$1/d" || return 1
	rejects 'filesystem cannot hold a dir log' "$k" log add hd-x dir "$1/d" || return 1
	read -r t1 < /proc/sys/kernel/tainted
	is_ "the kernel's taint" "$t1" "$t0"
}

# the VM's shared run directory is 9p: a filesystem that writes around the
# page cache (cache=none)
desc="9p (the VM's run directory): refused, no oops"
if [ -n "${KLF_RUN:-}" ] && [ "$(findmnt -n -o FSTYPE -T "$KLF_RUN" 2> /dev/null)" = 9p ]; then
	mkdir -p "$KLF_RUN/hd9.$$"
	check "$desc" refused_fs "$KLF_RUN/hd9.$$"
	rm -rf "$KLF_RUN/hd9.$$"
else
	ktap_result 4 "$desc: skipped, the run directory is not on 9p"
fi

desc="overlayfs (on tmpfs): refused, no oops"
mkdir -p "$S/o/"{l,u,w,m}
modprobe -q overlay 2> /dev/null
if ! grep -qw overlay /proc/filesystems; then
	ktap_result 4 "$desc: skipped, this kernel has no overlayfs"
elif mount -t overlay overlay -o "lowerdir=$S/o/l,upperdir=$S/o/u,workdir=$S/o/w" "$S/o/m"; then
	fs_track "$S/o/m"
	check "$desc" refused_fs "$S/o/m"
else
	ktap_result 1 "$desc: cannot mount it"
fi

# FUSE: fuse2fs (an ext2 image through FUSE) is the FUSE filesystem at hand
desc="FUSE (fuse2fs): refused, no oops"
modprobe -q fuse 2> /dev/null
if ! command -v fuse2fs > /dev/null; then
	ktap_result 4 "$desc: skipped, fuse2fs is missing"
elif [ ! -c /dev/fuse ]; then
	ktap_result 4 "$desc: skipped, this kernel has no /dev/fuse"
elif truncate -s 16M "$S/fuse.img" && mkfs.ext2 -q -F "$S/fuse.img" &&
		mkdir "$S/fu" && fuse2fs "$S/fuse.img" "$S/fu" > "$S/fs.out" 2>&1; then
	fs_track "$S/fu"
	check "$desc" refused_fs "$S/fu"
else
	sed 's/^/# /' "$S/fs.out"
	ktap_result 1 "$desc: cannot mount it"
fi

# DAX: ext4 mounted with -o dax on the emulated persistent memory that
# tools/vm/run --pmem gives (make check boots Debian's kernels with it; the
# debug kernel has no NVDIMM). Its files keep their data outside the page
# cache, so there is nothing to hand to TCP: the first file the log creates
# (the framing file, under its temporary name) is refused, the reason
# reaches the caller, and the file is not left behind.
dax() {
	local t0 t1 d=$S/dax/d
	read -r t0 < /proc/sys/kernel/tainted
	mkdir "$d" || return 1
	rejects '(framing\.tmp|%s) is a DAX file, no page cache: mount without dax' \
		"$k" log add hd-dax dir "$d" || return 1
	[ -z "$(ls -A "$d")" ] || { echo "left in the directory: $(ls -A "$d")"; return 1; }
	read -r t1 < /proc/sys/kernel/tainted
	is_ "the kernel's taint" "$t1" "$t0"
}
desc="DAX (ext4 -o dax on pmem): refused with its reason, nothing left, no oops"
modprobe -q nd_e820 2> /dev/null && modprobe -q nd_pmem 2> /dev/null
if [ ! -b /dev/pmem0 ]; then
	ktap_result 4 "$desc: skipped, no pmem (tools/vm/run --pmem, Debian's kernels)"
elif mkdir "$S/dax" && mkfs.ext4 -q -F -b 4096 /dev/pmem0 > "$S/fs.out" 2>&1 &&
		mount -o dax /dev/pmem0 "$S/dax" >> "$S/fs.out" 2>&1; then
	fs_track "$S/dax"
	if findmnt -n -o OPTIONS "$S/dax" | grep -qw 'dax\|dax=always'; then
		check "$desc" dax
	else
		ktap_result 1 "$desc: mounted without DAX ($(findmnt -n -o OPTIONS "$S/dax"))"
	fi
else
	sed 's/^/# /' "$S/fs.out"
	ktap_result 1 "$desc: cannot mount it"
fi

ktap_finish
