// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd save: the logs and targets of the caller's network namespace as
 * a batch file for "klogfwd -b": "log add" lines, then "target add" lines,
 * each with every setting written out, so that a later change of a default
 * does not change what the file means. Applied to an empty module it
 * recreates the configuration; applied to one that has it, every line is
 * a no-op (-b makes an add of what exists as given do nothing).
 */
#define _GNU_SOURCE	/* open_memstream() */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/klogfwd.h>

#include "counters.h"
#include "nl.h"
#include "subcommands.h"

#define SAVE_TRIES	3	/* dumps interrupted by a change, tried again */

void usage_save(FILE *fp)
{
	fputs("Usage: " PROG " save [FILE]\n"
	      "\n"
	      "Print the logs and targets of this network namespace as a batch\n"
	      "file that '" PROG " -b FILE' applies: a 'log add' line per log,\n"
	      "then a 'target add' line per target, each with every setting\n"
	      "written out (so that a later change of a default does not change\n"
	      "what the file means). Applied to an empty module (after a reboot)\n"
	      "it recreates the configuration; applied to a module that has it,\n"
	      "every line is a no-op.\n"
	      "\n"
	      "With FILE, write it there instead, atomically: a temporary file in\n"
	      "the same directory, synced, then renamed over FILE (which keeps its\n"
	      "permissions; a new one gets 0666 less the umask).\n"
	      "\n"
	      "A target of a dir log is saved 'from resume', so that the reloaded\n"
	      "target goes on where it stopped (its cursor is kept in the log's\n"
	      "directory) instead of sending the log again; a target of a memory\n"
	      "log 'from earliest' (a memory log is empty after a reboot). A paused\n"
	      "target is saved paused. hostname is left out where it is this\n"
	      "machine's node name (the default), so that the file keeps meaning\n"
	      "'this machine'. Needs CAP_NET_ADMIN.\n", fp);
}

/* Names of the dir logs written, for the "from" of their targets. */
struct save_ctx {
	FILE *out;
	const char *node;	/* the default hostname */
	char **dir_logs;
	size_t n_dir_logs;
	int err;		/* a log that cannot be written: EINVAL */
};

static int save_log_cb(const struct nl_reply *reply, void *priv)
{
	const struct nlattr *const *tb = reply->tb;
	struct save_ctx *sc = priv;
	FILE *out = sc->out;
	const char *name;
	uint32_t storage;
	char **p;
	int ret;

	name = nl_attr_str(tb[KLOGFWD_A_LOG_NAME]);
	if (!name)
		return -EPROTO;
	fprintf(out, "log add %s", name);
	ret = log_conf_print(out, tb, sc->node);
	if (ret == -EINVAL) {
		errmsg("save: log %s: its dir holds a control character: a batch line cannot give it",
		       name);
		sc->err = EINVAL;
	} else if (ret) {
		return ret;
	}
	fputc('\n', out);
	if (!nl_attr_u32(tb[KLOGFWD_A_LOG_STORAGE], &storage) ||
	    storage != KLOGFWD_STORAGE_DIR)
		return 0;
	p = realloc(sc->dir_logs, (sc->n_dir_logs + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	sc->dir_logs = p;
	p[sc->n_dir_logs] = strdup(name);
	if (!p[sc->n_dir_logs])
		return -ENOMEM;
	sc->n_dir_logs++;
	return 0;
}

static bool is_dir_log(const struct save_ctx *sc, const char *log)
{
	size_t i;

	for (i = 0; i < sc->n_dir_logs; i++)
		if (!strcmp(sc->dir_logs[i], log))
			return true;
	return false;
}

static int save_target_cb(const struct nl_reply *reply, void *priv)
{
	const struct nlattr *const *tb = reply->tb;
	struct save_ctx *sc = priv;
	const char *name, *log;
	int ret;

	name = nl_attr_str(tb[KLOGFWD_A_TARGET_NAME]);
	log = nl_attr_str(tb[KLOGFWD_A_TARGET_LOG]);
	if (!name || !log)
		return -EPROTO;
	fprintf(sc->out, "target add %s", name);
	ret = target_conf_print(sc->out, tb,
				is_dir_log(sc, log) ? "resume" : "earliest");
	if (ret)
		return ret;
	fputc('\n', sc->out);
	return 0;
}

struct save_version {
	char module[KLOGFWD_VERSION_LEN];
	char kernel[KLOGFWD_VERSION_LEN];
};

static int save_version_cb(const struct nl_reply *reply, void *priv)
{
	const char *m = nl_attr_str(reply->tb[KLOGFWD_A_VERSION_MODULE_VERSION]);
	const char *k = nl_attr_str(reply->tb[KLOGFWD_A_VERSION_KERNEL_RELEASE]);
	struct save_version *sv = priv;

	snprintf(sv->module, sizeof(sv->module), "%s", m ? m : "unknown");
	snprintf(sv->kernel, sizeof(sv->kernel), "%s", k ? k : "unknown");
	return 0;
}

/* One dump of cmd into sc->out, tried again if a change interrupted it. */
static int save_dump(struct cli *cli, struct nl_ctx *nl, uint8_t cmd,
		     unsigned int attr_max, nl_reply_cb cb, struct save_ctx *sc,
		     long start)
{
	struct nl_req *req;
	int i;

	for (i = 0; i < SAVE_TRIES; i++) {
		/* a dump tried again starts its lines again */
		if (fseek(sc->out, start, SEEK_SET))
			return -1;
		req = nl_req_start(nl, cmd, NL_REQ_DUMP);
		if (!nl_request(nl, req, attr_max, cb, sc))
			return 0;
		if (nl_err(nl) != EAGAIN)
			break;
	}
	cli_nl_error(cli, "save");
	return -1;
}

/* Write len bytes of buf to path: a temporary file, synced, renamed. */
static int save_file(const char *path, const char *buf, size_t len)
{
	char *tmp = NULL, *dcopy = NULL;
	mode_t mode, mask;
	struct stat st;
	ssize_t w;
	size_t off = 0;
	int fd = -1, dfd, err = 0;

	mask = umask(0);
	umask(mask);
	mode = !stat(path, &st) ? (st.st_mode & 07777) : (0666 & ~mask);
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		tmp = NULL;
		err = errno;
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = errno;
		free(tmp);
		tmp = NULL;
		goto out;
	}
	while (off < len) {
		w = write(fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			err = errno;
			goto out;
		}
		off += w;
	}
	if (fchmod(fd, mode) || fsync(fd)) {
		err = errno;
		goto out;
	}
	if (close(fd)) {
		fd = -1;
		err = errno;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path)) {
		err = errno;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	/* the rename itself, on disk */
	dcopy = strdup(path);
	if (dcopy) {
		dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(dcopy);
	if (err)
		errmsg("save: cannot write '%s': %s", path, strerror(err));
	return err ? -1 : 0;
}

int cmd_save(struct cli *cli, int argc, char **argv)
{
	struct save_version sv = { "unknown", "unknown" };
	struct save_ctx sc = { 0 };
	char *buf = NULL, when[32];
	struct utsname uts;
	struct nl_req *req;
	struct nl_ctx *nl;
	size_t len = 0, i;
	int ret = KF_EXIT_ERROR;
	time_t now = time(NULL);
	long start;

	if (argc > 2)
		return usage_error("save", "save: unexpected argument '%s'", argv[2]);
	if (argc > 1 && !argv[1][0])
		return usage_error("save", "save: empty file name");
	nl = cli_nl(cli);
	if (!nl)
		return KF_EXIT_ERROR;
	/* the module's default hostname: the node name, or "-" (as the module) */
	sc.node = "-";
	if (!uname(&uts) && uts.nodename[0]) {
		sc.node = uts.nodename;
		for (i = 0; uts.nodename[i]; i++)
			if (uts.nodename[i] < 33 || uts.nodename[i] > 126)
				sc.node = "-";
	}
	req = nl_req_start(nl, KLOGFWD_CMD_VERSION_GET, 0);
	if (nl_request(nl, req, KLOGFWD_A_VERSION_MAX, save_version_cb, &sv)) {
		cli_nl_error(cli, "save");
		return KF_EXIT_ERROR;
	}
	sc.out = open_memstream(&buf, &len);
	if (!sc.out) {
		errmsg("save: %s", strerror(errno));
		return KF_EXIT_ERROR;
	}
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(sc.out,
		"# klogfwd configuration, written by '" PROG " save' at %s\n"
		"# klogfwd-cli %s, klogfwd module %s (kernel %s)\n"
		"# Apply with '" PROG " -b FILE': on an empty module it creates these logs\n"
		"# and targets; on one that has them, a line that matches changes nothing.\n",
		when, klogfwd_cli_version, sv.module, sv.kernel);
	start = ftell(sc.out);
	if (save_dump(cli, nl, KLOGFWD_CMD_LOG_GET, KLOGFWD_A_LOG_MAX,
		      save_log_cb, &sc, start))
		goto out;
	start = ftell(sc.out);
	if (save_dump(cli, nl, KLOGFWD_CMD_TARGET_GET, KLOGFWD_A_TARGET_MAX,
		      save_target_cb, &sc, start))
		goto out;
	if (fflush(sc.out)) {
		errmsg("save: %s", strerror(errno));
		goto out;
	}
	if (sc.err) {
		errmsg("save: nothing written");
		goto out;
	}
	if (argc > 1) {
		if (!save_file(argv[1], buf, ftell(sc.out)))
			ret = KF_EXIT_OK;
	} else {
		fwrite(buf, 1, ftell(sc.out), stdout);
		ret = KF_EXIT_OK;
	}
out:
	fclose(sc.out);
	free(buf);
	for (i = 0; i < sc.n_dir_logs; i++)
		free(sc.dir_logs[i]);
	free(sc.dir_logs);
	return ret;
}
