/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The catch-up forwarders (fwd_rw, fwd_sendfile, fwd_splice): send every
 * segment file of a dir log, in order, to one TCP receiver, then report
 * "bytes N" and "elapsed_s S" on stdout. Each program defines
 * forward_file(), which sends a whole file; main() is here.
 *
 *   fwd_X -d DIR -c ADDR:PORT
 */
#ifndef KLF_FWD_H
#define KLF_FWD_H

#include "bench.h"
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>

static const char *prog;

/* send the whole of segment file FD (SIZE bytes) to socket SOCK */
static void forward_file(int fd, int sock, off_t size);

static inline void write_all(int sock, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(sock, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die(prog, "write");
		}
		p += w;
		n -= w;
	}
}

static inline int fwd_main(int argc, char **argv, const char *name)
{
	const char *dir = NULL, *addr = NULL;
	struct dirent **names;
	uint64_t total = 0, t0;
	int c, i, n, sock;

	prog = name;
	while ((c = getopt(argc, argv, "d:c:h")) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'c':
			addr = optarg;
			break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"usage: %s -d DIR -c ADDR:PORT\n", prog);
			return c == 'h' ? 0 : 2;
		}
	}
	if (!dir || !addr || optind != argc) {
		fprintf(stderr, "usage: %s -d DIR -c ADDR:PORT\n", prog);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	n = list_segments(prog, dir, &names);
	t0 = now_ns();
	sock = connect_to(prog, addr);
	for (i = 0; i < n; i++) {
		int fd = open_segment(prog, dir, names[i]->d_name);
		struct stat sb;

		if (fstat(fd, &sb) < 0)
			die(prog, "fstat");
		forward_file(fd, sock, sb.st_size);
		total += sb.st_size;
		close(fd);
		free(names[i]);
	}
	free(names);
	close(sock);
	printf("bytes %" PRIu64 "\nelapsed_s %.6f\n", total, (now_ns() - t0) / 1e9);
	return 0;
}

#endif
