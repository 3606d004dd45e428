// SPDX-License-Identifier: GPL-2.0
/*
 * fwd_sendfile: forward a dir log's segments with sendfile(), page cache
 * to socket, as Kafka serves its consumers.
 */
#include "fwd.h"
#include <sys/sendfile.h>

static void forward_file(int fd, int sock, off_t size)
{
	off_t pos = 0;

	while (pos < size) {
		ssize_t w = sendfile(sock, fd, &pos, size - pos);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die(prog, "sendfile");
		}
		if (w == 0)
			break;
	}
}

int main(int argc, char **argv)
{
	return fwd_main(argc, argv, "fwd_sendfile");
}
