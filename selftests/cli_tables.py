#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The CLI's tables against the bash completion and the man page.

The commands (tools/klogfwd.c), the log and target keywords
(tools/cmd_log.c, tools/cmd_target.c) and the values of their enums
(tools/enums.c and the commands' own lists, of names from
tools/names-gen.h, generated from the YNL spec, or of their own)
are read from the sources; the completion must offer exactly them, and the
man page must name each. Prints one "# ..." line per disagreement and
exits 1 if there is any.

    python3 selftests/cli_tables.py [TOPDIR]
"""
import os
import re
import sys

top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")


def read(path):
    with open(os.path.join(top, path), encoding="utf-8") as f:
        return f.read()


klogfwd_c = read("tools/klogfwd.c")
cmd_log = read("tools/cmd_log.c")
cmd_target = read("tools/cmd_target.c")
enums_c = read("tools/enums.c")
names_gen = read("tools/names-gen.h")
comp = read("tools/completion/klogfwd.bash")
man = read("tools/klogfwd.8")
problems = []


def table(src, name):
    """The rows of C array NAME: their first (string) field and the rest.

    A row of a keyword table (tools/kw.h) starts with KW_KEY("name", ...).
    """
    m = re.search(r"\b" + name + r"\[\] = \{\n(.*?)\n\};", src, re.S)
    if not m:
        problems.append(f"table {name} not found")
        return []
    return re.findall(r'\{\s*(?:KW_KEY\()?"([^"]+)",\s*([^{}]*?)\}', m.group(1), re.S)


def string_array(name):
    """The strings of a names array, from names-gen.h or the CLI's sources."""
    for src in (names_gen, enums_c, cmd_log, cmd_target):
        m = re.search(r"\b" + name + r"\[\] = \{(.*?)\};", src, re.S)
        if m:
            return re.findall(r'"([^"]*)"', m.group(1))
    problems.append(f"names array {name} not found")
    return []


def enum_values(src, enum):
    """The names of FOO_enum = ENUM_NAMES(bar), in src or enums.c: bar's strings."""
    m = (re.search(r"\b" + enum + r"\s*=\s*ENUM_NAMES\((\w+)\)", src) or
         re.search(r"\b" + enum + r"\s*=\s*ENUM_NAMES\((\w+)\)", enums_c))
    if not m:
        problems.append(f"{enum} not found")
        return []
    return string_array(m.group(1))


def comp_var(name):
    m = re.search(r"^" + name + r'="([^"]*)"', comp, re.M)
    if not m:
        problems.append(f"completion: {name} not found")
        return set()
    return set(m.group(1).split())


def comp_values(kw, func):
    """The words the completion offers after keyword KW (its case branch in
    the function FUNC: log and target keywords may share a name)."""
    body = re.search(r"^" + func + r"\(\)\n\{\n(.*?)^\}", comp, re.M | re.S)
    if not body:
        problems.append(f"completion: {func} not found")
        return None
    m = re.search(r"^\s*(?:[\w|-]+\|)?" + re.escape(kw) +
                  r'(?:\|[\w|-]+)?\)\s*\n\s*mapfile[^\n]*compgen -W "([^"]*)"', body.group(1), re.M)
    return set(m.group(1).split()) if m else None


def man_names(word):
    """The man page names WORD in bold (.B/.BR/.TP lines, \\fB...\\fP)."""
    w = re.escape(word.replace("-", "\\-"))
    return re.search(r"^\.(?:B|BR|RB|TP|BI|IR|RI|IB)\b[^\n]*(?<![\w-])" + w + r"(?![\w-])",
                     man, re.M) or re.search(r"\\fB" + w + r"\\f[PR]", man)


def compare(what, want, got):
    for w in sorted(want - got):
        problems.append(f"{what}: {w} is missing")
    for w in sorted(got - want):
        problems.append(f"{what}: {w} is not in the CLI")


# commands
commands = {name for name, _ in table(klogfwd_c, "commands")}
compare("completion _klogfwd_commands", commands, comp_var("_klogfwd_commands"))
for c in sorted(commands):
    if not man_names(c):
        problems.append(f"man page: command {c} is not described")

# log keywords: fixed ones (not KW_SET) are offered by log add only
log_rows = table(cmd_log, "log_kws")
fixed = {n for n, rest in log_rows if "KW_SET" not in rest}
compare("completion _klogfwd_log_fixed", fixed, comp_var("_klogfwd_log_fixed"))
compare("completion _klogfwd_log_settings", {n for n, _ in log_rows} - fixed,
        comp_var("_klogfwd_log_settings"))

# target keywords: target add's (KW_ADD only) and both's; target set's
# pause and resume are offered by their own line
tgt_rows = table(cmd_target, "target_kws")
add_only = {n for n, rest in tgt_rows if "KW_ADD" in rest and "KW_SET" not in rest}
both = {n for n, rest in tgt_rows if "KW_ADD" in rest and "KW_SET" in rest}
set_only = {n for n, rest in tgt_rows if "KW_SET" in rest and "KW_ADD" not in rest}
compare("completion _klogfwd_target_fixed", add_only, comp_var("_klogfwd_target_fixed"))
compare("completion _klogfwd_target_settings", both, comp_var("_klogfwd_target_settings"))
m = re.search(r'^\s*words="([^"$]*)\$_klogfwd_target_settings"', comp, re.M)
compare("completion of target set", set_only, set(m.group(1).split()) if m else set())

# every keyword in the man page; the values of its enum in the completion
# and the man page
for src, rows, func in ((cmd_log, log_rows, "_klogfwd_log_value"),
                        (cmd_target, tgt_rows, "_klogfwd_target_value")):
    for name, rest in rows:
        if not man_names(name):
            problems.append(f"man page: keyword {name} is not described")
        e = re.search(r"&(\w+_enum)", rest)
        if not e:
            continue
        values = set(enum_values(src, e.group(1)))
        got = comp_values(name, func)
        if got is None:
            problems.append(f"completion: no values offered after {name}")
        else:
            compare(f"completion of {name}'s values", values, got)
        for v in sorted(values):
            # "local0 to local7" names the six between
            if re.fullmatch(r"local[1-6]", v) and man_names("local0") and man_names("local7"):
                continue
            if not man_names(v):
                problems.append(f"man page: {name} {v} is not described")

for p in problems:
    print("# " + p)
print(f"# {len(commands)} commands, {len(log_rows)} log and {len(tgt_rows)} target keywords checked")
sys.exit(1 if problems else 0)
