// SPDX-License-Identifier: GPL-2.0
/*
 * fwd_splice: forward a dir log's segments with splice(), file to pipe to
 * socket (a default 64 KiB pipe).
 */
#include "fwd.h"

static int pipefd[2] = { -1, -1 };

static void forward_file(int fd, int sock, off_t size)
{
	loff_t pos = 0;

	if (pipefd[0] < 0 && pipe2(pipefd, O_CLOEXEC) < 0)
		die(prog, "pipe");
	while (pos < size) {
		ssize_t in = splice(fd, &pos, pipefd[1], NULL, size - pos,
				    SPLICE_F_MOVE | SPLICE_F_MORE);

		if (in < 0) {
			if (errno == EINTR)
				continue;
			die(prog, "splice from file");
		}
		if (in == 0)
			break;
		while (in > 0) {
			ssize_t out = splice(pipefd[0], NULL, sock, NULL, in,
					     SPLICE_F_MOVE | (pos < size ? SPLICE_F_MORE : 0));

			if (out < 0) {
				if (errno == EINTR)
					continue;
				die(prog, "splice to socket");
			}
			in -= out;
		}
	}
}

int main(int argc, char **argv)
{
	return fwd_main(argc, argv, "fwd_splice");
}
