#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Command line behaviour of the klogfwd CLI that needs no kernel module:
# help, usage errors and their exit status, command prefixes, "version"
# without the module, JSON output. Runs on the host or in a VM, as any user.
#
#   bash selftests/cli_usage.sh        (binary: $KLOGFWD, default
#                                       build/tools/klogfwd next to this dir)
#
# Output is KTAP (TAP version 13); the exit status is 0 only if no test
# failed.

set -u

# shellcheck source=SCRIPTDIR/cli_lib.sh
source "$(dirname "$0")/cli_lib.sh"

VERSION_FILE=$here/../VERSION
# the usage errors of top-level commands hint at 'klogfwd help'
GROUP=

have_python()
{
	command -v python3 >/dev/null
}

cli_version_re()
{
	local base

	base=$(cat "$VERSION_FILE" 2>/dev/null)
	if [[ -n $base ]]; then
		printf '%s' "${base//./\\.}"
	else
		printf '%s' '[0-9]+\.[0-9]+\.[0-9]+'
	fi
}

# Tests: print a skip reason to stdout via skip() and return 0 to skip. The
# usage errors are rows of check_rows (cli_lib.sh): command line | exit |
# message [| values for %].

test_help_option()
{
	local cmd

	run --help
	expect_rc 0 && expect_out '^Usage: klogfwd ' && expect_no_err || return
	for cmd in help version; do
		expect_out "^  $cmd " || return
	done
	run -h
	expect_rc 0 && expect_out '^Usage: klogfwd ' && expect_no_err
}

test_help_command()
{
	local want

	run --help
	want=$out
	run help
	expect_rc 0 && expect_no_err || return
	[[ $out == "$want" ]] || fail "'klogfwd help' differs from 'klogfwd --help'"
}

test_no_command()
{
	run
	expect_rc 2 && expect_no_out && expect_err '^Usage: klogfwd '
	run -j
	expect_rc 2 && expect_no_out && expect_err '^Usage: klogfwd '
}

test_unknown_command()
{
	check_rows <<'ROWS'
	frobnicate | 2 | unknown command 'frobnicate'
ROWS
}

test_unknown_option()
{
	check_rows <<'ROWS'
	--frobnicate version | 2 | unknown option '--frobnicate'
	-x version           | 2 | unknown option '-x'
ROWS
}

test_unique_prefixes()
{
	local cmds cmd other p n want tried=0

	cmds=$(list_commands help)
	[[ -n $cmds ]] || { fail "no commands listed by 'klogfwd help'"; return; }
	for cmd in $cmds; do
		run "$cmd" --help
		expect_rc 0 || return
		want=$out
		for p in $(unique_prefixes "$cmd" "$cmds"); do
			run "$p" --help
			tried=$((tried + 1))
			expect_rc 0 && expect_no_err || return
			[[ $out == "$want" ]] ||
				{ fail "'klogfwd $p --help' is not '$cmd --help'"; return; }
		done
	done
	((tried > 0)) || { fail "no unique prefix to try"; return; }
	# And not only for --help: the shortest unique prefix of "version".
	for ((n = 1; n <= 7; n++)); do
		p=version
		p=${p:0:n}
		for other in $cmds; do
			[[ $other != version && $other == "$p"* ]] && continue 2
		done
		break
	done
	run version
	want="$rc:$out:$err"
	run "$p"
	[[ "$rc:$out:$err" == "$want" ]] || fail "'klogfwd $p' differs from 'klogfwd version'"
}

# The top-level commands share no prefix; the verbs of a group do (log set,
# log show): the first pair found, at the top level or in a group, must be
# refused as ambiguous, naming both.
test_ambiguous_prefix()
{
	local group cmds a b p n

	for group in "" log target; do
		cmds=$(list_commands ${group:-help} ${group:+--help})
		for a in $cmds; do
			for b in $cmds; do
				[[ $a < $b ]] || continue
				for ((n = 1; n <= ${#a} && n <= ${#b}; n++)); do
					[[ ${a:n-1:1} == "${b:n-1:1}" ]] || break
				done
				((n > 1)) || continue
				p=${a:0:n-1}
				[[ $p == "$a" || $p == "$b" ]] && continue
				# shellcheck disable=SC2086
				run $group "$p"
				expect_rc 2 && expect_no_out && expect_lines err 2 &&
					expect_err "^klogfwd: ambiguous command '${group:+$group }$p': could be .*\\<$a\\>" &&
					expect_err "^klogfwd: ambiguous command '${group:+$group }$p': could be .*\\<$b\\>" &&
					expect_err "'klogfwd help${group:+ $group}'"
				return
			done
		done
	done
	skip "no two commands share a prefix"
}

test_no_suffix_match()
{
	check_rows <<'ROWS'
	versionx | 2 | unknown command 'versionx'
ROWS
}

test_help_of_command()
{
	local want arg

	run version --help
	expect_rc 0 && expect_no_err && expect_out '^Usage: klogfwd .*version' || return
	want=$out
	for arg in help -h; do
		run version $arg
		expect_rc 0 && expect_no_err || return
		[[ $out == "$want" ]] || { fail "'klogfwd version $arg' differs"; return; }
	done
	run help version
	expect_rc 0 && expect_no_err || return
	[[ $out == "$want" ]] || { fail "'klogfwd help version' differs"; return; }
	check_rows <<'ROWS'
	help nosuchcommand | 2 | unknown command 'nosuchcommand'
ROWS
}

test_version_extra_arg()
{
	check_rows <<'ROWS'
	version extra | 2 | version: unexpected argument 'extra'
ROWS
}

test_version_no_module()
{
	module_loaded && { skip "module loaded"; return; }
	run version
	expect_rc 1 && expect_lines out 1 &&
		expect_out "^klogfwd-cli $(cli_version_re)(-[^ ]+)?$" &&
		expect_lines err 1 || return
	[[ $err == "$NOT_LOADED_MSG" ]] || fail "unexpected error: $err"
}

# check_json FILE PRETTY: the version document is valid JSON of the right shape.
check_json()
{
	python3 - "$1" "$2" "$(cli_version_re)" "$(module_loaded && echo 1)" <<'EOF'
import json, re, sys

path, pretty, version_re, loaded = sys.argv[1:5]
text = open(path).read()
doc = json.loads(text)
keys = ["cli_version", "module_version", "kernel_release", "genl_version"]
assert list(doc) == keys, "keys are %r" % list(doc)
assert re.fullmatch(r"%s(-\S+)?" % version_re, doc["cli_version"]), doc["cli_version"]
if loaded:
    assert isinstance(doc["module_version"], str), doc
    assert isinstance(doc["kernel_release"], str), doc
    assert type(doc["genl_version"]) is int, doc
else:
    assert doc["module_version"] is None, doc
    assert doc["kernel_release"] is None, doc
    assert doc["genl_version"] is None, doc
lines = text.rstrip("\n").split("\n")
if pretty == "1":
    assert len(lines) == len(keys) + 2, "not indented: %r" % text
else:
    assert len(lines) == 1, "not compact: %r" % text
EOF
}

# version_json OPTION PRETTY: "klogfwd OPTION version" exits 1 without the
# module (0 with it) and prints the version document as JSON, indented if
# PRETTY is 1.
version_json()
{
	local want_rc=1

	have_python || { skip "python3 not available"; return; }
	module_loaded && want_rc=0
	run "$1" version
	expect_rc $want_rc || return
	if ((want_rc)); then
		[[ $err == "$NOT_LOADED_MSG" ]] || { fail "unexpected error: $err"; return; }
	fi
	python3 -m json.tool "$tmp/out" >/dev/null 2>"$tmp/py" ||
		{ fail "not JSON: $out ($(cat "$tmp/py"))"; return; }
	check_json "$tmp/out" "$2" 2>"$tmp/py" || fail "$(tail -n 1 "$tmp/py")"
}

test_version_json()
{
	version_json -j 0
}

test_version_json_pretty()
{
	version_json -p 1
}

test_version_option()
{
	local line

	run -V
	expect_rc 0 && expect_no_err && expect_lines out 1 &&
		expect_out "^klogfwd-cli $(cli_version_re)(-[^ ]+)?$" || return
	line=$out
	run --version
	expect_rc 0 || return
	[[ $out == "$line" ]] || { fail "--version differs from -V"; return; }
	run version
	[[ ${out%%$'\n'*} == "$line" ]] || fail "'klogfwd version' starts with '${out%%$'\n'*}', not '$line'"
}

test_version_option_json()
{
	have_python || { skip "python3 not available"; return; }
	run -j -V
	expect_rc 0 && expect_no_err || return
	python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert list(doc) == ["cli_version"] and doc["cli_version"], doc
' "$tmp/out" 2>"$tmp/py" || fail "bad JSON: $out"
}

test_valgrind()
{
	local all=("--help" "version" "-p version" "frobnicate" "version -p"
		   "stats -o prometheus -j" "log add x -j bogus")

	command -v valgrind >/dev/null || { skip "valgrind not available"; return; }
	# valgrind under TCG emulation costs about 15 s a run: in the test VM,
	# check only the path that parses the module's reply
	[ "${KLF_VM:-0}" = 1 ] && all=("-p version")
	valgrind_clean "${all[@]}"
}

# -b FILE: usage errors of the option itself, and a batch that needs no
# module (help lines): quotes and comments, the failing line named, the
# lines after it not run.
test_batch_usage()
{
	printf 'help\n' > "$tmp/batch"
	check_rows <<'ROWS' || return
	-b                      | 2 | option '-b' needs a file name
	-b "$tmp/batch" version | 2 | -b takes its commands from the file, not from the command line \('version'\)
ROWS
	run -b "$tmp/no-such-file"
	expect_rc 2 && expect_no_out &&
		expect_err "^klogfwd: cannot open batch file '$tmp/no-such-file': No such file"
}

test_batch_lines()
{
	local f=$tmp/batch

	printf '# a comment\n\n  help "lo"g  # trailing comment\nhelp\n' > "$f"
	run -b "$f"
	expect_rc 0 && expect_no_err && expect_out '^Usage: klogfwd .*log' || return
	[[ $(grep -c '^Usage: klogfwd' <<<"$out") == 2 ]] ||
		{ fail "expected two usages (help log, help)"; return; }
	printf 'help log\nlog add x bogus-setting 1\nhelp\n' > "$f"
	run -b "$f"
	expect_rc 2 && expect_err "^klogfwd: $f:2: log add: unknown keyword 'bogus-setting'" &&
		expect_err "^klogfwd: $f:2: failed \\(exit 2\\); line 1 was applied, line 3 was not run$" ||
		return
	[[ $(grep -c '^Usage: klogfwd' <<<"$out") == 1 ]] ||
		fail "line 3 ran after line 2 failed"
	printf 'help\nhelp "log\nhelp\n' > "$f"
	run -b "$f"
	expect_rc 2 && expect_err "^klogfwd: $f:2: unterminated quote" || return
	[[ $(grep -c '^Usage: klogfwd' <<<"$out") == 1 ]] || fail "lines after the bad quote ran"
}

# -b FILE --check: every line checked without the module, all the bad ones
# named with their line numbers, nothing run (help prints nothing)
test_batch_check()
{
	local f=$tmp/batch

	printf '# ok\nlog add a dir "/tmp/x y" segment-bytes 1M sync 5s\nhelp\nlog add b bogus 1\ntarget add t log a to 127.0.0.1:9 paused\ntarget add u log .a to 10.0.0.1:70000\nlog del a\nlog add c facility 99\n' > "$f"
	run -b "$f" --check
	expect_rc 2 && expect_no_out &&
		expect_err "^klogfwd: $f:4: log add: unknown keyword 'bogus'$" &&
		expect_err "^klogfwd: $f:6: target add: invalid value '10.0.0.1:70000' for to" &&
		expect_err "^klogfwd: $f:8: log add: value 99 for facility is out of range \\(at most 23\\)$" &&
		expect_err "^klogfwd: $f: 3 of 7 commands invalid; nothing was applied$" || return
	[[ $(grep -c "^klogfwd: $f:[0-9]*: " <<<"$err") == 3 ]] ||
		{ fail "not exactly 3 lines named: $err"; return; }
	# without the module: a valid file exits 0, and -c works before -b too
	printf 'log add a memory framing octet\ntarget add t log a to [::1]:9 backoff 1s-1m\nlog set a mode 0640\n' > "$f"
	run -c -b "$f"
	expect_rc 0 && expect_no_err &&
		expect_out "^$f: 3 commands checked, no error; nothing was applied$" || return
	run --check log show
	expect_rc 2 && expect_err "^klogfwd: --check goes with -b FILE"
}

# save: its usage errors come before the module is needed
test_save_usage()
{
	check_rows <<'ROWS' || return
	save a b | 2 | save: unexpected argument 'b'
	save ""  | 2 | save: empty file name
	save     | 1 | NOT_LOADED
ROWS
	run save --help
	expect_rc 0 && expect_out "^Usage: klogfwd save \\[FILE\\]"
}

test_stats_output_usage()
{
	check_rows <<'ROWS' || return
	stats -o                        | 2 | stats: -o needs a format: text, json or prometheus
	stats -o xml                    | 2 | stats: unknown output format 'xml' \(expected text, json or prometheus\)
	-j stats -o prometheus          | 2 | stats: -j and -o prometheus conflict
	stats --output prometheus extra | 2 | stats: unexpected argument 'extra'
	stats -o json                   | 1 | NOT_LOADED
ROWS
	run help stats
	expect_rc 0 && expect_out "stats \[-o text\|json\|prometheus\]" && expect_out "klogfwd_target_state"
}

test_output_opts_after_command()
{
	local rc

	run version -j
	[[ $out == '{"cli_version":'* ]] || { fail "version -j printed '$out'"; return; }
	run version --pretty
	expect_out '^    "cli_version": ' || return
	check_rows <<'ROWS' || return
	stats -o prometheus -j | 2 | stats: -j and -o prometheus conflict
	version bogus -p       | 2 | version: unexpected argument 'bogus'
ROWS
	# where they are not taken, a usage error says where they go
	run log add x -j bogus
	expect_rc 2 && expect_err "^-j is an option of klogfwd itself: give it before the command"
}

# words before the cursor | the word at the cursor | what is offered
test_stats_completion()
{
	check_completion <<'ROWS'
	stats -o |   | json prometheus text
	stats    |   | +-o
	stats -o | p | prometheus
ROWS
}

# save and --check in the completion
test_save_check_completion()
{
	check_completion <<'ROWS'
	     |      | +save
	     | --ch | --check
	-b f | -    | --check --verbose -c -v
ROWS
}

# The commands, keywords and enum values of the CLI's tables are exactly
# those the completion offers, and the man page names each
# (selftests/cli_tables.py reads the sources).
test_tables_documented()
{
	local out

	have_python || { skip "python3 is not installed"; return; }
	out=$(python3 "$here/cli_tables.py" "$here/.." 2>&1) || fail "$out"
	((${#why[@]} == 0))
}

tests=(
	"test_help_option:--help and -h print the usage and exit 0"
	"test_help_command:help prints the same usage as --help"
	"test_no_command:no command prints the usage to stderr and exits 2"
	"test_unknown_command:unknown command exits 2 with one message and a hint"
	"test_unknown_option:unknown global option exits 2 with one message and a hint"
	"test_unique_prefixes:every unique prefix runs its command"
	"test_ambiguous_prefix:ambiguous prefix exits 2 listing the candidates"
	"test_no_suffix_match:a word longer than a command name is unknown"
	"test_help_of_command:version --help, version help and help version"
	"test_version_extra_arg:version rejects extra arguments with exit 2"
	"test_version_no_module:version without the module exits 1 and says it is not loaded"
	"test_version_json:-j version prints valid JSON"
	"test_version_json_pretty:-p version prints valid indented JSON"
	"test_version_option:-V and --version print only the CLI version"
	"test_version_option_json:-j -V prints the CLI version as JSON"
	"test_batch_usage:-b without a file, with arguments, or a missing file exits 2"
	"test_batch_lines:-b runs each line, honours quotes and comments, stops at the first failure naming its line"
	"test_batch_check:-b FILE --check names every bad line with its number and runs none"
	"test_save_usage:save: extra words exit 2; without the module exit 1"
	"test_stats_output_usage:stats -o: a missing or unknown format, -j with prometheus and extra words exit 2"
	"test_stats_completion:stats completes -o and its formats"
	"test_save_check_completion:save, --check, and --check after -b FILE complete"
	"test_output_opts_after_command:-j and -p after show, stats, monitor and version work; elsewhere a hint"
	"test_tables_documented:completion and man page list exactly the CLI's commands, keywords and values"
	"test_valgrind:no memory errors or leaks under valgrind"
)

run_tests cli_usage
