/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The logs and targets of the caller's namespace, read with one dump each
 * (log-get, target-get) into plain arrays, for the commands that look at
 * all of them at once: "stats -o prometheus" and "status".
 *
 *	struct obj_list logs = { 0 }, targets = { 0 };
 *
 *	if (objs_dump(cli, nl, &logs, &targets) == 0)
 *		... logs.v[i].name, targets.v[i].c.val[...] ...
 *	objs_free(&logs);
 *	objs_free(&targets);
 */
#ifndef KLOGFWD_OBJECTS_H
#define KLOGFWD_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"

struct cli;
struct nl_ctx;

/* A log or a target of the dumps; a member is 0 or NULL if absent. */
struct obj {
	char *name;
	char *log;			/* targets: the log it forwards */
	char *dir;			/* logs: the directory of a dir log */
	/* logs: storage, framing; targets: port, paused */
	uint32_t storage, framing;
	uint16_t port;
	bool paused;
	bool have_state;		/* targets: state is known */
	uint32_t state;
	int family;			/* AF_INET, AF_INET6 or 0: no address */
	unsigned char addr[16];
	struct counters c;		/* the stats nest */
};

struct obj_list {
	struct obj *v;
	size_t n, cap;
};

int objs_dump(struct cli *cli, struct nl_ctx *nl, struct obj_list *logs,
	      struct obj_list *targets);
void objs_free(struct obj_list *l);

#endif /* KLOGFWD_OBJECTS_H */
