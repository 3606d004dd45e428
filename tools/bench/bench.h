/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the benchmark programs (header only): clocks, address
 * parsing, connecting, and listing a dir log's segment files in order.
 */
#ifndef KLF_BENCH_H
#define KLF_BENCH_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline void die(const char *prog, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(2);
}

/* "A.B.C.D:PORT" or "[v6]:PORT" into an addrinfo list */
static inline struct addrinfo *parse_addr(const char *prog, const char *addr, int passive)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	char host[256];
	const char *colon = strrchr(addr, ':');
	size_t hl;
	int err;

	if (!colon || colon == addr) {
		fprintf(stderr, "%s: bad address '%s'\n", prog, addr);
		exit(2);
	}
	hl = colon - addr;
	if (addr[0] == '[' && hl >= 2 && addr[hl - 1] == ']') {
		addr++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		fprintf(stderr, "%s: bad address\n", prog);
		exit(2);
	}
	memcpy(host, addr, hl);
	host[hl] = 0;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	err = getaddrinfo(host, colon + 1, &hints, &res);
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", prog, addr, gai_strerror(err));
		exit(2);
	}
	return res;
}

/* a blocking TCP connection to ADDR, TCP_NODELAY on (as a klogfwd target) */
static inline int connect_to(const char *prog, const char *addr)
{
	struct addrinfo *ai = parse_addr(prog, addr, 0);
	int fd, one = 1;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(prog, "socket");
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		die(prog, addr);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	freeaddrinfo(ai);
	return fd;
}

/* a segment file: 20 decimal digits and ".log" */
static inline int is_segment(const char *name)
{
	size_t i;

	if (strlen(name) != 24 || strcmp(name + 20, ".log"))
		return 0;
	for (i = 0; i < 20; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	return 1;
}

static inline int seg_filter(const struct dirent *d)
{
	return is_segment(d->d_name);
}

/* the segment files of DIR in log order (zero-padded names sort) */
static inline int list_segments(const char *prog, const char *dir, struct dirent ***names)
{
	int n = scandir(dir, names, seg_filter, alphasort);

	if (n < 0)
		die(prog, dir);
	return n;
}

static inline int open_segment(const char *prog, const char *dir, const char *name)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(prog, path);
	return fd;
}

#endif
