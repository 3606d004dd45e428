// SPDX-License-Identifier: GPL-2.0
/*
 * fwd_rw: forward a dir log's segments with read() and write() through a
 * 64 KiB buffer: the classic copying forwarder.
 */
#include "fwd.h"

#define BUF_SIZE 65536

static char buf[BUF_SIZE];

static void forward_file(int fd, int sock, off_t size)
{
	off_t done = 0;

	while (done < size) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die(prog, "read");
		}
		if (r == 0)
			break;
		write_all(sock, buf, r);
		done += r;
	}
}

int main(int argc, char **argv)
{
	return fwd_main(argc, argv, "fwd_rw");
}
