// SPDX-License-Identifier: GPL-2.0
/*
 * The names of the settings' enum values, one table each, shared by the
 * keyword tables of cmd_log.c and cmd_target.c, their printers (kw_show.c)
 * and save: the spec's enums from names-gen.h, and syslog's facilities and
 * severities.
 */
#include <linux/klogfwd.h>

#include "counters.h"
#include "subcommands.h"

const struct enum_names klf_storage_enum = ENUM_NAMES(klf_storage_names);
const struct enum_names klf_framing_enum = ENUM_NAMES(klf_framing_names);
const struct enum_names klf_overflow_enum = ENUM_NAMES(klf_overflow_names);
const struct enum_names klf_sync_enum = ENUM_NAMES(klf_sync_names);
const struct enum_names klf_input_enum = ENUM_NAMES(klf_input_names);
const struct enum_names klf_format_enum = ENUM_NAMES(klf_format_names);
const struct enum_names klf_source_enum = ENUM_NAMES(klf_source_names);
const struct enum_names klf_kmsg_from_enum = ENUM_NAMES(klf_kmsg_from_names);
const struct enum_names klf_ack_enum = ENUM_NAMES(klf_ack_names);
const struct enum_names klf_target_state_enum = ENUM_NAMES(klf_target_state_names);

/* syslog facility and severity names (RFC 5424, 6.2.1), by number */
static const char *const facility_names[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
	"solaris-cron", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7",
};
static const char *const severity_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};
_Static_assert(ARRAY_SIZE(facility_names) == SYSLOG_FACILITY_MAX + 1, "facility names");
_Static_assert(ARRAY_SIZE(severity_names) == SYSLOG_SEVERITY_MAX + 1, "severity names");
const struct enum_names syslog_facility_enum = ENUM_NAMES(facility_names);
const struct enum_names syslog_severity_enum = ENUM_NAMES(severity_names);
