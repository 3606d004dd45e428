// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: a dir log's settings, saved in <dir>/settings so that they
 * survive module reload and reboot.
 *
 * The file is text, a "key value" line per setting with the CLI's names
 * and values ("sync always", "mode 0640"), written atomically (a synced
 * temporary file renamed over it) when the log is created or recovered and
 * on every log-set. log-new of a directory that has one starts from it:
 * settings given in the request replace the saved ones, but may lower the
 * durability they ask for only with the override flag. The file is
 * untrusted input like the rest of the directory: at most
 * KLF_SETTINGS_MAX bytes, every value range-checked as the netlink policy
 * would; a bad line refuses the log, naming the line; an unknown key (from
 * a newer version: lowercase letters, digits and '-') is skipped with a
 * warning.
 */

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"

#define KLF_SETTINGS_FILE	"settings"
#define KLF_SETTINGS_TMP	".settings.tmp"
#define KLF_SETTINGS_MAX	4096

static const char *const klf_overflow_names[] = { "drop", "block" };
static const char *const klf_sync_names[] = { "none", "interval", "always" };
static const char *const klf_input_names[] = { "record", "lines" };
static const char *const klf_format_names[] = { "raw", "rfc3164", "rfc5424", "json" };

enum klf_set_kind { KLF_SET_U32, KLF_SET_U64, KLF_SET_ENUM, KLF_SET_MODE,
		    KLF_SET_UID, KLF_SET_GID, KLF_SET_STR };

/**
 * struct klf_setting - one key of the settings file
 * @key: its name (the CLI's)
 * @attr: KLOGFWD_A_LOG_* it stands for
 * @kind: how its value is written
 * @min: smallest value (numbers)
 * @max: largest value (numbers), or the size of the string with its NUL
 * @names: enum names, by value
 */
struct klf_setting {
	const char *key;
	int attr;
	enum klf_set_kind kind;
	u64 min, max;
	const char *const *names;
};

static const struct klf_setting klf_settings[] = {
	{ "segment-bytes", KLOGFWD_A_LOG_SEGMENT_BYTES, KLF_SET_U32, 4096, 1 << 30 },
	{ "retain-bytes", KLOGFWD_A_LOG_RETAIN_BYTES, KLF_SET_U64, 0, U64_MAX },
	{ "retain-ms", KLOGFWD_A_LOG_RETAIN_MS, KLF_SET_U64, 0, KLF_RETAIN_MS_MAX },
	{ "max-record", KLOGFWD_A_LOG_MAX_RECORD, KLF_SET_U32, 1, KLOGFWD_MAX_RECORD_LIMIT },
	{ "overflow", KLOGFWD_A_LOG_OVERFLOW, KLF_SET_ENUM, 0,
	  ARRAY_SIZE(klf_overflow_names) - 1, klf_overflow_names },
	{ "sync", KLOGFWD_A_LOG_SYNC, KLF_SET_ENUM, 0,
	  ARRAY_SIZE(klf_sync_names) - 1, klf_sync_names },
	{ "sync-interval-ms", KLOGFWD_A_LOG_SYNC_INTERVAL_MS, KLF_SET_U32, 1, 3600000 },
	{ "mode", KLOGFWD_A_LOG_MODE, KLF_SET_MODE, 0, 0777 },
	{ "owner", KLOGFWD_A_LOG_OWNER, KLF_SET_UID, 0, U32_MAX },
	{ "group", KLOGFWD_A_LOG_GROUP, KLF_SET_GID, 0, U32_MAX },
	{ "input", KLOGFWD_A_LOG_INPUT, KLF_SET_ENUM, 0,
	  ARRAY_SIZE(klf_input_names) - 1, klf_input_names },
	{ "format", KLOGFWD_A_LOG_FORMAT, KLF_SET_ENUM, 0,
	  ARRAY_SIZE(klf_format_names) - 1, klf_format_names },
	{ "hostname", KLOGFWD_A_LOG_HOSTNAME, KLF_SET_STR, 1, KLOGFWD_HOSTNAME_LEN + 1 },
	{ "app-name", KLOGFWD_A_LOG_APP_NAME, KLF_SET_STR, 1, KLOGFWD_APP_NAME_LEN + 1 },
	{ "facility", KLOGFWD_A_LOG_FACILITY, KLF_SET_U32, 0, 23 },
	{ "severity", KLOGFWD_A_LOG_SEVERITY, KLF_SET_U32, 0, 7 },
	/* source kmsg only: written for such a log only */
	{ "level", KLOGFWD_A_LOG_KMSG_LEVEL, KLF_SET_U32, 0, 7 },
	{ "poll", KLOGFWD_A_LOG_KMSG_POLL_MS, KLF_SET_U32, 10, 60000 },
};

/* The field of @cfg a numeric setting is kept in. */
static u64 klf_setting_get(const struct klf_log_config *cfg, int attr)
{
	struct user_namespace *ns = current_user_ns();

	switch (attr) {
	case KLOGFWD_A_LOG_SEGMENT_BYTES: return cfg->segment_bytes;
	case KLOGFWD_A_LOG_RETAIN_BYTES: return cfg->retain_bytes;
	case KLOGFWD_A_LOG_RETAIN_MS: return cfg->retain_ms;
	case KLOGFWD_A_LOG_MAX_RECORD: return cfg->max_record;
	case KLOGFWD_A_LOG_OVERFLOW: return cfg->overflow;
	case KLOGFWD_A_LOG_SYNC: return cfg->sync;
	case KLOGFWD_A_LOG_SYNC_INTERVAL_MS: return cfg->sync_interval_ms;
	case KLOGFWD_A_LOG_MODE: return cfg->mode;
	case KLOGFWD_A_LOG_OWNER: return from_kuid_munged(ns, cfg->owner);
	case KLOGFWD_A_LOG_GROUP: return from_kgid_munged(ns, cfg->group);
	case KLOGFWD_A_LOG_INPUT: return cfg->input;
	case KLOGFWD_A_LOG_FORMAT: return cfg->format;
	case KLOGFWD_A_LOG_FACILITY: return cfg->facility;
	case KLOGFWD_A_LOG_SEVERITY: return cfg->severity;
	case KLOGFWD_A_LOG_KMSG_LEVEL: return cfg->kmsg_level;
	case KLOGFWD_A_LOG_KMSG_POLL_MS: return cfg->kmsg_poll_ms;
	}
	return 0;
}

/* Set a numeric setting; false if an id is not valid in the caller's namespace. */
static bool klf_setting_put(struct klf_log_config *cfg, int attr, u64 v)
{
	struct user_namespace *ns = current_user_ns();

	switch (attr) {
	case KLOGFWD_A_LOG_SEGMENT_BYTES:
		cfg->segment_bytes = v;
		break;
	case KLOGFWD_A_LOG_RETAIN_BYTES:
		cfg->retain_bytes = v;
		break;
	case KLOGFWD_A_LOG_RETAIN_MS:
		cfg->retain_ms = v;
		break;
	case KLOGFWD_A_LOG_MAX_RECORD:
		cfg->max_record = v;
		break;
	case KLOGFWD_A_LOG_OVERFLOW:
		cfg->overflow = v;
		break;
	case KLOGFWD_A_LOG_SYNC:
		cfg->sync = v;
		break;
	case KLOGFWD_A_LOG_SYNC_INTERVAL_MS:
		cfg->sync_interval_ms = v;
		break;
	case KLOGFWD_A_LOG_MODE:
		cfg->mode = v;
		break;
	case KLOGFWD_A_LOG_OWNER:
		cfg->owner = make_kuid(ns, v);
		return uid_valid(cfg->owner);
	case KLOGFWD_A_LOG_GROUP:
		cfg->group = make_kgid(ns, v);
		return gid_valid(cfg->group);
	case KLOGFWD_A_LOG_INPUT:
		cfg->input = v;
		break;
	case KLOGFWD_A_LOG_FORMAT:
		cfg->format = v;
		break;
	case KLOGFWD_A_LOG_FACILITY:
		cfg->facility = v;
		break;
	case KLOGFWD_A_LOG_SEVERITY:
		cfg->severity = v;
		break;
	case KLOGFWD_A_LOG_KMSG_LEVEL:
		cfg->kmsg_level = v;
		break;
	case KLOGFWD_A_LOG_KMSG_POLL_MS:
		cfg->kmsg_poll_ms = v;
		break;
	}
	return true;
}

static char *klf_setting_str(struct klf_log_config *cfg, int attr)
{
	return attr == KLOGFWD_A_LOG_HOSTNAME ? cfg->hostname : cfg->app_name;
}

static const char *klf_setting_cstr(const struct klf_log_config *cfg, int attr)
{
	return attr == KLOGFWD_A_LOG_HOSTNAME ? cfg->hostname : cfg->app_name;
}

/* Parse @val for @s into @cfg. Return: 0 or -EINVAL. */
static int klf_setting_parse(const struct klf_setting *s, const char *val,
			     struct klf_log_config *cfg)
{
	u64 v;
	int i;

	switch (s->kind) {
	case KLF_SET_STR:
		if (strlen(val) >= s->max || !klf_syslog_name_ok(val))
			return -EINVAL;
		strscpy(klf_setting_str(cfg, s->attr), val, s->max);
		return 0;
	case KLF_SET_ENUM:
		i = match_string(s->names, s->max + 1, val);
		if (i < 0)
			return -EINVAL;
		v = i;
		break;
	case KLF_SET_MODE:
		if (kstrtou64(val, 8, &v))
			return -EINVAL;
		break;
	default:
		if (kstrtou64(val, 10, &v))
			return -EINVAL;
		break;
	}
	if (v < s->min || v > s->max || !klf_setting_put(cfg, s->attr, v))
		return -EINVAL;
	return 0;
}

/* Whether @to would keep less, or less safely, than @from asks for. */
static bool klf_settings_lower(const struct klf_log_config *from,
			       const struct klf_log_config *to, int attr)
{
	switch (attr) {
	case KLOGFWD_A_LOG_SYNC:
		return to->sync < from->sync;
	case KLOGFWD_A_LOG_OVERFLOW:
		return from->overflow == KLOGFWD_OVERFLOW_BLOCK &&
		       to->overflow != KLOGFWD_OVERFLOW_BLOCK;
	case KLOGFWD_A_LOG_RETAIN_BYTES:
		return to->retain_bytes && (!from->retain_bytes ||
					    to->retain_bytes < from->retain_bytes);
	case KLOGFWD_A_LOG_RETAIN_MS:
		return to->retain_ms && (!from->retain_ms || to->retain_ms < from->retain_ms);
	}
	return false;
}

/* A key of a newer version: lowercase letters, digits and '-', 1 to 32 of them. */
static bool klf_settings_key_ok(const char *key)
{
	size_t n = strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return n && n <= 32 && !key[n];
}

/**
 * klf_settings_load() - start a new dir log from its directory's settings
 * @log: the log, locked, its directory open, @log->cfg the request's
 * @given: bit n set: attribute n was given in the request
 * @override: the request may lower the saved durability
 * @extack: for errors
 *
 * Return: 0 (also when there is no file), or -EINVAL with an extack
 * message (a bad line, a conflict without @override), -EPERM (not a file
 * to trust), -EFBIG, or an I/O error.
 */
int klf_settings_load(struct klf_log *log, u64 given, bool override,
		      struct netlink_ext_ack *extack)
{
	struct klf_log_config saved = log->cfg;
	const struct klf_setting *s = NULL;
	char *buf, *line, *next, *val;
	unsigned int lineno = 0;
	loff_t pos = 0;
	struct file *f;
	ssize_t n;
	int i, ret = 0;

	lockdep_assert_held(&log->lock);
	f = klf_dir_open_ext(log, KLF_SETTINGS_FILE, 0, extack);
	if (IS_ERR(f))
		return PTR_ERR(f) == -ENOENT ? 0 : PTR_ERR(f);
	buf = kmalloc(KLF_SETTINGS_MAX + 1, GFP_KERNEL);
	if (!buf) {
		fput(f);
		return -ENOMEM;
	}
	n = kernel_read(f, buf, KLF_SETTINGS_MAX + 1, &pos);
	fput(f);
	if (n < 0) {
		ret = n;
		goto out;
	}
	if (n > KLF_SETTINGS_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "the directory's file \"%s\" is larger than %d bytes",
				   KLF_SETTINGS_FILE, KLF_SETTINGS_MAX);
		ret = -EFBIG;
		goto out;
	}
	buf[n] = 0;
	for (line = buf; line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (!*line || *line == '#')
			continue;
		val = strchr(line, ' ');
		if (val)
			*val++ = 0;
		for (i = 0, s = NULL; i < ARRAY_SIZE(klf_settings); i++)
			if (!strcmp(line, klf_settings[i].key))
				s = &klf_settings[i];
		if (!s && !klf_settings_key_ok(line)) {
			NL_SET_ERR_MSG_FMT(extack,
					   "settings line %u: not a setting (fix or remove DIR/settings)",
					   lineno);
			ret = -EINVAL;
			goto out;
		}
		if (!s) {
			pr_warn_ratelimited("log %s: dir %s: settings line %u: unknown key \"%.32s\" skipped\n",
					    log->name, log->dir_path, lineno, line);
			continue;
		}
		if (!val || klf_setting_parse(s, val, &saved)) {
			NL_SET_ERR_MSG_FMT(extack,
					   "settings line %u: bad value for %s (fix or remove DIR/settings)",
					   lineno, s->key);
			ret = -EINVAL;
			goto out;
		}
	}
	/* the saved settings, but for those given, which must not lower them */
	for (i = 0; i < ARRAY_SIZE(klf_settings); i++) {
		s = &klf_settings[i];
		if (!(given & BIT_ULL(s->attr)))
			continue;
		if (!override && klf_settings_lower(&saved, &log->cfg, s->attr)) {
			NL_SET_ERR_MSG_FMT(extack,
					   "%s is lower than the saved settings: give override to lower it",
					   s->key);
			ret = -EINVAL;
			goto out;
		}
		if (s->kind == KLF_SET_STR)
			strscpy(klf_setting_str(&saved, s->attr),
				klf_setting_cstr(&log->cfg, s->attr), s->max);
		else
			klf_setting_put(&saved, s->attr, klf_setting_get(&log->cfg, s->attr));
	}
	log->cfg = saved;
out:
	kfree(buf);
	return ret;
}

/**
 * klf_settings_save() - write a dir log's settings to its directory
 * @log: the log, locked
 * @cfg: the settings to save
 *
 * Return: 0 or a negative errno.
 */
int klf_settings_save(struct klf_log *log, const struct klf_log_config *cfg)
{
	const struct klf_setting *s;
	size_t len = 0;
	char *buf;
	u64 v;
	int i, ret;

	lockdep_assert_held(&log->lock);
	buf = kmalloc(KLF_SETTINGS_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	len += scnprintf(buf + len, KLF_SETTINGS_MAX - len,
			 "# klogfwd: the settings of log %s, restored by log add NAME dir PATH\n",
			 log->name);
	for (i = 0; i < ARRAY_SIZE(klf_settings); i++) {
		s = &klf_settings[i];
		if (cfg->source != KLOGFWD_SOURCE_KMSG &&
		    (s->attr == KLOGFWD_A_LOG_KMSG_LEVEL || s->attr == KLOGFWD_A_LOG_KMSG_POLL_MS))
			continue;
		if (s->kind == KLF_SET_STR) {
			const char *str = klf_setting_cstr(cfg, s->attr);

			if (*str)
				len += scnprintf(buf + len, KLF_SETTINGS_MAX - len, "%s %s\n",
						 s->key, str);
			continue;
		}
		v = klf_setting_get(cfg, s->attr);
		if (s->kind == KLF_SET_ENUM)
			len += scnprintf(buf + len, KLF_SETTINGS_MAX - len, "%s %s\n", s->key,
					 v <= s->max ? s->names[v] : "?");
		else if (s->kind == KLF_SET_MODE)
			len += scnprintf(buf + len, KLF_SETTINGS_MAX - len, "%s %04llo\n",
					 s->key, v);
		else
			len += scnprintf(buf + len, KLF_SETTINGS_MAX - len, "%s %llu\n", s->key, v);
	}
	ret = klf_dir_write_file(log, KLF_SETTINGS_FILE, KLF_SETTINGS_TMP, buf, len, NULL);
	kfree(buf);
	return ret;
}
